import { fmix32, hash32 } from '../hash.js';
import type { PickRequest, Random } from '../types.js';

/**
 * The 32-bit hash a request is placed by: its `hash` (scrambled), its `key`, or a random one.
 * Tolerates malformed requests from untyped callers: pick() must never throw.
 */
export function requestHash(request: PickRequest | undefined, random: Random): number {
  if (request != null) {
    const { hash, key } = request;
    if (hash !== undefined && hash !== null) return fmix32(Number(hash) | 0);
    if (typeof key === 'string') return hash32(key);
    if (key !== undefined && key !== null) return hash32(String(key));
  }
  return (random() * 4294967296) >>> 0;
}
