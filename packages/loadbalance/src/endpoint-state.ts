import { EWMA, INFLIGHT, LoadTable, SAMPLES, STAMP, STRIDE } from './load-table.js';
import type { OutlierDetector, OutlierHost } from './outlier-detector.js';
import { currentEwma, observeEwma } from './peak-ewma.js';
import type { Clock, Endpoint, Outcome, PickedEndpoint } from './types.js';

/** What an endpoint's feedback needs from its balancer. */
export interface FeedbackSink {
  readonly clock: Clock;
  readonly decayTimeMs: number;
  readonly defaultRttMs: number;
  readonly failurePenalty: number;
  /** Least weight of a lower sample in the estimate (default 0: time weights alone). */
  readonly sampleWeight?: number;
  /** After this long without a sample, a sample replaces the estimate (default never). */
  readonly probeIntervalMs?: number;
  readonly detector: OutlierDetector<EndpointState> | undefined;
}

/**
 * One endpoint's handle, kept across snapshot updates while its id remains. It is also the pick
 * result, so a pick allocates nothing and feedback needs no closure. Its numbers live in a slot of
 * the balancer's {@link LoadTable}.
 */
export class EndpointState implements PickedEndpoint {
  readonly type = 'pick' as const;
  endpoint: Endpoint;
  table: LoadTable;
  slot: number;
  /** Externally reported health (setHealthy); ejection is tracked in `outlier`. */
  healthy = true;
  outlier: OutlierHost<EndpointState> | undefined;
  readonly sink: FeedbackSink;

  /** Without a table, the endpoint gets a private one-slot table (tests, standalone use). */
  constructor(endpoint: Endpoint, sink: FeedbackSink, table: LoadTable = new LoadTable(1)) {
    this.endpoint = endpoint;
    this.sink = sink;
    this.table = table;
    this.slot = table.alloc();
  }

  get weight(): number {
    return this.endpoint.weight ?? 1;
  }

  get inflight(): number {
    return this.table.data[this.slot * STRIDE + INFLIGHT]!;
  }
  set inflight(v: number) {
    this.table.data[this.slot * STRIDE + INFLIGHT] = v;
  }
  /** Latency estimate as of `stamp`, ms; negative before the first sample. */
  get ewma(): number {
    return this.table.data[this.slot * STRIDE + EWMA]!;
  }
  set ewma(v: number) {
    this.table.data[this.slot * STRIDE + EWMA] = v;
  }
  get stamp(): number {
    return this.table.data[this.slot * STRIDE + STAMP]!;
  }
  set stamp(v: number) {
    this.table.data[this.slot * STRIDE + STAMP] = v;
  }
  get samples(): number {
    return this.table.data[this.slot * STRIDE + SAMPLES]!;
  }
  set samples(v: number) {
    this.table.data[this.slot * STRIDE + SAMPLES] = v;
  }

  start(): void {
    this.table.data[this.slot * STRIDE + INFLIGHT]!++;
  }

  /** `now` (the balancer's clock) saves a clock read when the caller has just read it. */
  done(latencyMs: number, outcome: Outcome = 'success', now?: number): void {
    const table = this.table;
    const slot = this.slot;
    const at = slot * STRIDE + INFLIGHT;
    if (table.data[at]! > 0) table.data[at]!--;
    const sink = this.sink;
    if (outcome === 'cancelled') {
      // A cancelled attempt (a hedge or the deadline won) took at least this long: a lower bound of
      // its latency. It counts when it raises the estimate, so an endpoint whose calls are always
      // cancelled (a slow one losing every hedge race) is not taken for an unmeasured, free one.
      if (latencyMs >= 0) {
        now ??= sink.clock.now();
        const d = table.data;
        const base = slot * STRIDE;
        if (d[base + EWMA]! < 0) observeEwma(table, slot, latencyMs, now, sink.decayTimeMs);
        else {
          const current = currentEwma(table, slot, now, sink.decayTimeMs, sink.defaultRttMs);
          if (latencyMs > current) observeEwma(table, slot, latencyMs, now, sink.decayTimeMs);
          else {
            // No news, but the endpoint was tried: restamp its unchanged estimate, so a slow
            // endpoint whose probe lost a hedge race waits a full probe interval for the next one.
            d[base + EWMA] = current;
            d[base + STAMP] = now;
          }
        }
      }
      return;
    }
    now ??= sink.clock.now();
    if (latencyMs >= 0) {
      let sample = latencyMs;
      if (outcome !== 'success') {
        // A fast failure must not look attractive: charge it as a slow call.
        const current = currentEwma(table, slot, now, sink.decayTimeMs, sink.defaultRttMs);
        sample = Math.max(latencyMs, current) * sink.failurePenalty;
      }
      observeEwma(table, slot, sample, now, sink.decayTimeMs, sink.sampleWeight, sink.probeIntervalMs);
    }
    const outlier = this.outlier;
    if (outlier !== undefined && sink.detector !== undefined) sink.detector.record(outlier, outcome, now);
  }

  /** The current latency estimate in ms (default RTT before any sample). */
  latencyEstimate(now: number): number {
    return currentEwma(this.table, this.slot, now, this.sink.decayTimeMs, this.sink.defaultRttMs);
  }

  /**
   * Moves this endpoint's numbers to a private table and frees its shared slot: it left the
   * snapshot, but calls still in flight may report to it, and the slot may be reused.
   */
  detach(): void {
    const shared = this.table;
    const own = new LoadTable(1);
    const slot = own.alloc();
    const from = this.slot * STRIDE;
    own.data.set(shared.data.subarray(from, from + STRIDE), slot * STRIDE);
    shared.release(this.slot);
    this.table = own;
    this.slot = slot;
  }
}
