/**
 * A bounded memo for values that repeat across rows (family names and their phonetic codes,
 * dates). When full it is simply emptied: a lookup stays a single Map.get, and values that are
 * really frequent are back after a few rows. Keep limits small (thousands, not hundreds of
 * thousands): a lookup in a large Map misses the CPU caches and costs more than most of the
 * work it saves.
 */
export class BoundedCache<V> {
  private readonly map = new Map<string, V>();

  constructor(private readonly limit: number) {}

  get(key: string): V | undefined {
    return this.map.get(key);
  }

  set(key: string, value: V): void {
    if (this.map.size >= this.limit) this.map.clear();
    this.map.set(key, value);
  }
}
