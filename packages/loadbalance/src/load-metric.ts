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

/** The slow-endpoint gate of {@link peakEwma}. */
export interface SlowGate {
  /**
   * An endpoint whose latency estimate is at least this many times its rival's loses the P2C
   * comparison whatever their in-flight counts (default 2; `Infinity` gives Finagle's pure cost).
   */
  slowRatio?: number;
  /**
   * An endpoint that keeps losing still gets probes: when idle and its last sample is this much older
   * than its rival's, it wins the comparison, so one call at a time goes to it and its recovery is
   * seen within seconds, not after the estimate has decayed (default 1,000 ms).
   */
  probeIntervalMs?: number;
}

/**
 * Latency estimate × (in-flight + 1): Finagle/Linkerd peak-EWMA cost, with a slow-endpoint gate.
 * The in-flight factor predicts queueing on a server that works one request at a time; on a server
 * that overlaps requests (most of them) it lets a 10× slower but idle endpoint look as cheap as a
 * fast one with nine calls in flight, and that endpoint's calls then make the tail (measured: 1–4 % of
 * calls on a 10× slow replica of three at c = 16, so p99 = the slow replica's latency). Past
 * `slowRatio`, latency alone decides; a fast endpoint that really is overloaded shows it in its own
 * estimate within one sample (the peak), which lifts the gate.
 */
export function peakEwma(decayTimeMs: number, defaultRttMs: number, gate: SlowGate = {}): LoadMetric {
  const ratio = gate.slowRatio ?? 2;
  const probeMs = gate.probeIntervalMs ?? 1_000;
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
      let ea = d[ba + EWMA]!;
      let eb = d[bb + EWMA]!;
      if (ea < 0 || eb < 0) {
        // No sample yet on one side: free while idle, else the default RTT, which does not decay.
        const now = clock.now();
        return load(t, a, now) < load(t, b, now);
      }
      // Both estimates decay by the same factor from now on, so their ratio depends only on the
      // gap between their last samples: no clock read needed. The older one is scaled down.
      const gap = d[ba + STAMP]! - d[bb + STAMP]!;
      if (gap > 0) eb *= Math.exp(-gap / decayTimeMs);
      else if (gap < 0) ea *= Math.exp(gap / decayTimeMs);
      const ia = d[ba + INFLIGHT]!;
      const ib = d[bb + INFLIGHT]!;
      // A due probe first: an idle endpoint whose estimate is probeMs staler than its rival's.
      if (ia === 0 && -gap >= probeMs) return true;
      if (ib === 0 && gap >= probeMs) return false;
      if (ea > ratio * eb) return false;
      if (eb > ratio * ea) return true;
      return ea * (ia + 1) < eb * (ib + 1);
    },
  });
}
