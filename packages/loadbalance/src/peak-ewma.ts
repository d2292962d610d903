// Peak-EWMA latency estimate (Finagle's PeakEwma, Linkerd's tower PeakEwma). Between samples the
// estimate decays towards zero with time constant `decayTimeMs` (Finagle and tower decay it on
// every read; we compute the decayed view without mutating, so reads stay pure), which lets an idle
// slow endpoint be probed again. A sample above the decayed estimate replaces it at once (peak);
// a lower sample is blended into the decayed view with weight 1 − e^(−Δt/τ), Δt being the time
// since the last sample, and at least `minWeight`; after `freshAfterMs` of silence the sample
// replaces the estimate (a probe's answer is the news: what was known is that old). Both are ours: with time weights alone a
// busy endpoint forgives one spike (a GC pause, a new connection) only as fast as an idle one, over
// τ = 10 s, and its inflated estimate hides how much faster it is than a really slow peer; and an
// endpoint that one stall made look slow would wait for the decay, not its next probe, to return.
import { EWMA, type LoadTable, SAMPLES, STAMP, STRIDE } from './load-table.js';

/** Folds one latency sample taken at `now` into the estimate of `slot`. */
export function observeEwma(
  t: LoadTable,
  slot: number,
  latencyMs: number,
  now: number,
  decayTimeMs: number,
  minWeight = 0,
  freshAfterMs = Number.POSITIVE_INFINITY,
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
    // After `freshAfterMs` without a sample (a probe of an avoided endpoint), the sample is the news.
    const keep = elapsed >= freshAfterMs ? 0 : Math.min(w, 1 - minWeight);
    d[base + EWMA] = latencyMs > decayed ? latencyMs : decayed * keep + latencyMs * (1 - keep);
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
