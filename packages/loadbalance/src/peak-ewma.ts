// Peak-EWMA latency estimate (Finagle's PeakEwma, Linkerd's tower PeakEwma). Between samples the
// estimate decays towards zero with time constant `decayTimeMs` (Finagle and tower decay it on
// every read; we compute the decayed view without mutating, so reads stay pure), which lets an idle
// slow endpoint be probed again. A sample above the decayed estimate replaces it at once (peak);
// a lower sample is blended in with weight 1 − e^(−Δt/τ), Δt being the time since the last sample.
import { EWMA, type LoadTable, SAMPLES, STAMP, STRIDE } from './load-table.js';

/** Folds one latency sample taken at `now` into the estimate of `slot`. */
export function observeEwma(
  t: LoadTable,
  slot: number,
  latencyMs: number,
  now: number,
  decayTimeMs: number,
): void {
  const d = t.data;
  const base = slot * STRIDE;
  const ewma = d[base + EWMA]!;
  if (ewma < 0) {
    d[base + EWMA] = latencyMs;
  } else {
    const stamp = d[base + STAMP]!;
    const elapsed = now > stamp ? now - stamp : 0;
    const w = elapsed === 0 ? 1 : Math.exp(-elapsed / decayTimeMs);
    const decayed = ewma * w;
    d[base + EWMA] = latencyMs > decayed ? latencyMs : decayed * w + latencyMs * (1 - w);
  }
  d[base + STAMP] = now;
  d[base + SAMPLES] = d[base + SAMPLES]! + 1;
}

/** The estimate of `slot` as of `now`: the default RTT before any sample. */
export function currentEwma(
  t: LoadTable,
  slot: number,
  now: number,
  decayTimeMs: number,
  defaultRttMs: number,
): number {
  const d = t.data;
  const base = slot * STRIDE;
  const ewma = d[base + EWMA]!;
  if (ewma < 0) return defaultRttMs;
  const stamp = d[base + STAMP]!;
  const elapsed = now > stamp ? now - stamp : 0;
  return elapsed === 0 ? ewma : ewma * Math.exp(-elapsed / decayTimeMs);
}
