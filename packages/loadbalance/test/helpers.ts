import type { Clock, Endpoint } from '@breakwater/loadbalance';

/** mulberry32: a tiny seeded PRNG so every decision in a test can be replayed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class ManualClock implements Clock {
  constructor(public time = 0) {}
  now(): number {
    return this.time;
  }
  advance(ms: number): void {
    this.time += ms;
  }
}

export function endpoints(n: number, extra: (i: number) => Partial<Endpoint> = () => ({})): Endpoint[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `e${i}`,
    host: '10.0.0.1',
    port: 8000 + i,
    ...extra(i),
  }));
}

export const SEED = 20261126;
