/**
 * A bounded memo for values that repeat across rows: given names, family names with their
 * phonetic codes, unusual name spellings.
 *
 * Measurements shaped it. A hit is cheap only while the Map is small and hot: every lookup in a
 * large Map misses the CPU caches, and a miss that stores a fresh value makes the garbage
 * collector copy and promote it. So the memo is small, is simply emptied when full (a lookup
 * stays one Map.get), and watches its hit rate: when fewer than half of PROBE lookups hit, it
 * stands aside (no lookups, no stores) for the next PAUSE calls, then probes again. Family and
 * given names, where a few thousand spellings cover most rows, stay memoised; thinly spread
 * values end up computed, at the cost of the probes only.
 */
const PROBE = 8192;
const PAUSE = 262_144;

export class BoundedCache<V> {
  private readonly map = new Map<string, V>();
  private lookups = 0;
  private hits = 0;
  private paused = 0;

  constructor(private readonly limit: number) {}

  get(key: string): V | undefined {
    if (this.paused > 0) {
      this.paused--;
      return undefined;
    }
    const v = this.map.get(key);
    if (v !== undefined) this.hits++;
    if (++this.lookups === PROBE) {
      if (this.hits * 2 < PROBE) {
        this.paused = PAUSE;
        this.map.clear();
      }
      this.lookups = 0;
      this.hits = 0;
    }
    return v;
  }

  set(key: string, value: V): void {
    if (this.paused > 0) return;
    if (this.map.size >= this.limit) this.map.clear();
    this.map.set(key, value);
  }
}
