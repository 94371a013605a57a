/**
 * A seeded generator of numbers in [0, 1) (mulberry32): property tests draw their
 * cases from it, so that a failing case can be replayed from its seed.
 *
 * @example
 * const next = seededRandom(20261201);
 * const size = 1 + Math.floor(next() * 70);
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
