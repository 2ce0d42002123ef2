/**
 * A bounded memo for values that repeat across rows (given names, dates, cities, postcodes).
 * Two generations instead of true LRU: lookups stay one Map.get on the hot path, and when the
 * young generation fills, the old one is dropped whole, so memory stays within 2 × `limit`
 * while anything still in use survives by being copied forward on its next hit.
 */
export class BoundedCache<V> {
  private young = new Map<string, V>();
  private old = new Map<string, V>();

  constructor(private readonly limit: number) {}

  get(key: string): V | undefined {
    const hit = this.young.get(key);
    if (hit !== undefined) return hit;
    const aged = this.old.get(key);
    if (aged !== undefined) this.set(key, aged);
    return aged;
  }

  set(key: string, value: V): void {
    if (this.young.size >= this.limit) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(key, value);
  }
}
