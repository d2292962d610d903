// murmur3 x86 32-bit over UTF-16 code units: fast, well mixed, no dependency. Used for ring points,
// Maglev permutations and request keys; stability across versions matters (affinity), so never change it.

/** murmur3 (x86, 32-bit) of a string's UTF-16 code units, as an unsigned 32-bit integer. */
export function hash32(text: string, seed = 0): number {
  let h = seed >>> 0;
  const len = text.length;
  let i = 0;
  // Two code units make one 32-bit block.
  for (; i + 1 < len; i += 2) {
    let k = (text.charCodeAt(i) & 0xffff) | ((text.charCodeAt(i + 1) & 0xffff) << 16);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  if (i < len) {
    let k = text.charCodeAt(i) & 0xffff;
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
  }
  h ^= len * 2;
  return fmix32(h);
}

/** murmur3's finaliser: spreads an integer's bits (used to scramble caller-supplied hashes). */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
