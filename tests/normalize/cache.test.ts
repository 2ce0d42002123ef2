import { describe, expect, it } from 'vitest';
import { BoundedCache } from '../../src/normalize/cache.js';

describe('BoundedCache', () => {
  it('remembers values and stays within its limit', () => {
    const c = new BoundedCache<number>(3);
    c.set('a', 1);
    c.set('b', 2);
    expect(c.get('a')).toBe(1);
    c.set('c', 3);
    c.set('d', 4); // full: emptied, then d stored
    expect(c.get('a')).toBeUndefined();
    expect(c.get('d')).toBe(4);
  });
  it('stands aside when it rarely hits, and comes back later', () => {
    const c = new BoundedCache<number>(100);
    for (let i = 0; i < 8192; i++) {
      if (c.get('k' + i) === undefined) c.set('k' + i, i);
    }
    c.set('x', 1);
    expect(c.get('x')).toBeUndefined(); // paused
    for (let i = 0; i < 262_144; i++) c.get('y'); // the pause, then one real lookup
    c.set('x', 1);
    expect(c.get('x')).toBe(1);
  });
});
