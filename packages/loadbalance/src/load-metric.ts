// Load metrics (Finagle's "load" half of a balancer): how busy an endpoint looks. Combined with a
// distributor such as P2C; pure functions of the load table and the time.
import { EWMA, INFLIGHT, type LoadTable, STAMP, STRIDE } from './load-table.js';
import { currentEwma } from './peak-ewma.js';
import type { Clock } from './types.js';

export interface LoadMetric {
  /** The load of one slot as of `now` (for stats, tests and custom distributors). */
  load(table: LoadTable, slot: number, now: number): number;
  /**
   * Whether slot `a` is strictly less loaded than slot `b` now. Reads the clock only if it must,
   * and returns a boolean so the hot path of P2C allocates no number.
   */
  less(table: LoadTable, a: number, b: number, clock: Clock): boolean;
}

/** Outstanding requests (Finagle's least-loaded, Envoy's least_request). */
export const leastRequest: LoadMetric = Object.freeze({
  load: (t: LoadTable, slot: number): number => t.data[slot * STRIDE + INFLIGHT]!,
  less: (t: LoadTable, a: number, b: number): boolean =>
    t.data[a * STRIDE + INFLIGHT]! < t.data[b * STRIDE + INFLIGHT]!,
});

/** Latency estimate × (in-flight + 1): Finagle/Linkerd peak-EWMA cost. */
export function peakEwma(decayTimeMs: number, defaultRttMs: number): LoadMetric {
  const load = (t: LoadTable, slot: number, now: number): number => {
    const inflight = t.data[slot * STRIDE + INFLIGHT]!;
    // As Finagle: an endpoint never measured and idle costs nothing, so a new instance gets one
    // request at once and then competes on its own latency. Costing it the default RTT instead
    // would starve it behind faster endpoints (30 ms vs 1 ms on loopback) and it would never be measured.
    if (inflight === 0 && t.data[slot * STRIDE + EWMA]! < 0) return 0;
    return currentEwma(t, slot, now, decayTimeMs, defaultRttMs) * (inflight + 1);
  };
  return Object.freeze({
    load,
    less: (t: LoadTable, a: number, b: number, clock: Clock): boolean => {
      const d = t.data;
      const ba = a * STRIDE;
      const bb = b * STRIDE;
      const ea = d[ba + EWMA]!;
      const eb = d[bb + EWMA]!;
      if (ea < 0 || eb < 0) {
        // No sample yet on one side: free while idle, else the default RTT, which does not decay.
        const now = clock.now();
        return load(t, a, now) < load(t, b, now);
      }
      // Both estimates decay by the same factor from now on, so their ratio depends only on the
      // gap between their last samples: no clock read needed. The older one is scaled down.
      const ca = ea * (d[ba + INFLIGHT]! + 1);
      const cb = eb * (d[bb + INFLIGHT]! + 1);
      const gap = d[ba + STAMP]! - d[bb + STAMP]!;
      if (gap === 0) return ca < cb;
      return gap > 0 ? ca < cb * Math.exp(-gap / decayTimeMs) : ca * Math.exp(gap / decayTimeMs) < cb;
    },
  });
}
