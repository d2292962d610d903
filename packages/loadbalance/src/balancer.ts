import { EventEmitter } from 'node:events';
import {
  type BalancerOptions,
  type ResolvedBalancerOptions,
  resolveBalancerOptions,
} from './balancer-options.js';
import type { Distributor, DistributorContext, DistributorFactory } from './distributors/distributor.js';
import { EndpointState, type FeedbackSink } from './endpoint-state.js';
import { LoadTable } from './load-table.js';
import { type EjectionReason, OutlierDetector, type OutlierHost } from './outlier-detector.js';
import { FailPicker, type Picker, SnapshotPicker } from './picker.js';
import { distributorFor, metricFor } from './policy.js';
import type { Endpoint, PickedEndpoint, PickRequest, PickResult } from './types.js';

export interface EjectionEvent {
  readonly endpoint: Endpoint;
  readonly reason: EjectionReason;
  /** Clock time of the ejection. */
  readonly at: number;
  readonly durationMs: number;
  /** Lifetime ejections of this endpoint, this one included. */
  readonly ejections: number;
}

export interface UnejectionEvent {
  readonly endpoint: Endpoint;
  readonly at: number;
}

export interface BalancerEvents {
  /** A new picker was published (snapshot, health, ejection or panic change). */
  picker: [picker: Picker];
  eject: [event: EjectionEvent];
  uneject: [event: UnejectionEvent];
}

export interface EndpointStats {
  readonly endpoint: Endpoint;
  readonly inflight: number;
  /** Current latency estimate (peak EWMA), ms. */
  readonly latencyMs: number;
  readonly healthy: boolean;
  readonly ejected: boolean;
  readonly ejections: number;
}

/**
 * Receives endpoint snapshots and health changes, keeps per-endpoint load state across them, and
 * publishes an immutable {@link Picker} for each. Feedback flows through the picked endpoint's
 * `start()` / `done()`. Holds no timers: call `evaluate()` to let outlier ejections expire and to
 * run the interval detectors.
 */
export class Balancer extends EventEmitter<BalancerEvents> {
  readonly options: ResolvedBalancerOptions;
  readonly #sink: FeedbackSink;
  readonly #ctx: DistributorContext;
  readonly #factory: DistributorFactory;
  readonly #detector: OutlierDetector<EndpointState> | undefined;
  readonly #table = new LoadTable();
  #states = new Map<string, EndpointState>();
  #order: EndpointState[] = [];
  #picker: Picker = new FailPicker('no-endpoints');
  #closed = false;
  /** While evaluate() sweeps, ejections only mark the picker stale; it is rebuilt once at the end. */
  #batching = false;
  #stale = false;

  constructor(options: BalancerOptions = {}) {
    super();
    const o = resolveBalancerOptions(options);
    this.options = o;
    this.#detector =
      o.outlierDetection === undefined
        ? undefined
        : new OutlierDetector<EndpointState>(
            o.outlierDetection,
            o.random,
            {
              onEject: (host, reason, at, durationMs) => this.#onEject(host, reason, at, durationMs),
              onUneject: (host, at) => this.#onUneject(host, at),
            },
            o.clock.now(),
          );
    this.#sink = Object.freeze({
      clock: o.clock,
      decayTimeMs: o.decayTimeMs,
      defaultRttMs: o.defaultRttMs,
      failurePenalty: o.failurePenalty,
      sampleWeight: o.sampleWeight,
      probeIntervalMs: o.probeIntervalMs,
      detector: this.#detector,
    });
    this.#ctx = Object.freeze({
      random: o.random,
      clock: o.clock,
      metric: metricFor(o.policy, o.decayTimeMs, o.defaultRttMs, o),
      table: this.#table,
      ringReplicas: o.ringReplicas,
      maxRingSize: o.maxRingSize,
      maglevTableSize: o.maglevTableSize,
    });
    this.#factory = distributorFor(o.policy);
  }

  /** The current picker; replaced, never mutated, on every change. */
  get picker(): Picker {
    return this.#picker;
  }

  /** Shorthand for `balancer.picker.pick(request)`. Never throws. */
  pick(request?: PickRequest): PickResult {
    return this.#picker.pick(request);
  }

  /**
   * The feedback handle of an endpoint in the current snapshot, by id: the same object its picks
   * return. For callers that chose the endpoint some other way (a pinned retry, a hedge).
   */
  handle(id: string): PickedEndpoint | undefined {
    return this.#states.get(id);
  }

  /**
   * Replaces the endpoint snapshot. Endpoints whose id remains keep their in-flight count,
   * latency estimate, health and ejection state. Throws TypeError/RangeError on a malformed
   * endpoint or a duplicate id (the previous snapshot stays in force).
   */
  update(endpoints: readonly Endpoint[]): void {
    if (this.#closed) return;
    if (!Array.isArray(endpoints)) throw new TypeError('endpoints must be an array');
    const seen = new Set<string>();
    for (const e of endpoints) {
      validateEndpoint(e);
      if (seen.has(e.id)) throw new TypeError(`endpoint id must be unique, got a duplicate: ${e.id}`);
      seen.add(e.id);
    }
    const next = new Map<string, EndpointState>();
    const order: EndpointState[] = [];
    for (const e of endpoints) {
      let state = this.#states.get(e.id);
      if (state === undefined) {
        state = new EndpointState(e, this.#sink, this.#table);
        state.outlier = this.#detector?.add(state);
      } else {
        state.endpoint = e;
      }
      next.set(e.id, state);
      order.push(state);
    }
    for (const [id, state] of this.#states) {
      if (!next.has(id)) this.#detach(state);
    }
    this.#states = next;
    this.#order = order;
    this.#rebuild();
  }

  /** Marks an endpoint healthy or not from outside (an open breaker, a failed health check). */
  setHealthy(id: string, healthy: boolean): boolean {
    const state = this.#states.get(id);
    if (state === undefined || this.#closed) return false;
    if (state.healthy !== healthy) {
      state.healthy = healthy;
      this.#rebuild();
    }
    return true;
  }

  /** Unejects endpoints whose time is up and runs the per-interval outlier detectors. */
  evaluate(now: number = this.options.clock.now()): void {
    const detector = this.#detector;
    if (detector === undefined || this.#closed) return;
    this.#batching = true;
    try {
      detector.evaluate(now);
    } finally {
      this.#batching = false;
    }
    if (this.#stale) this.#rebuild();
  }

  /** Per-endpoint load and health, in snapshot order. */
  stats(): EndpointStats[] {
    const now = this.options.clock.now();
    return this.#order.map((s) => ({
      endpoint: s.endpoint,
      inflight: s.inflight,
      latencyMs: s.latencyEstimate(now),
      healthy: s.healthy,
      ejected: s.outlier?.ejected ?? false,
      ejections: s.outlier?.ejections ?? 0,
    }));
  }

  /** Publishes a failing picker and drops all state and listeners. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const state of this.#order) this.#detach(state);
    this.#states = new Map();
    this.#order = [];
    this.#publish(new FailPicker('closed'));
    this.removeAllListeners();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }

  #detach(state: EndpointState): void {
    if (state.outlier !== undefined) this.#detector?.remove(state.outlier);
    state.outlier = undefined;
    state.detach();
  }

  #onEject(host: OutlierHost<EndpointState>, reason: EjectionReason, at: number, durationMs: number): void {
    this.#rebuildUnlessBatching();
    this.emit('eject', { endpoint: host.ref.endpoint, reason, at, durationMs, ejections: host.ejections });
  }

  #onUneject(host: OutlierHost<EndpointState>, at: number): void {
    this.#rebuildUnlessBatching();
    this.emit('uneject', { endpoint: host.ref.endpoint, at });
  }

  #rebuildUnlessBatching(): void {
    if (this.#batching) this.#stale = true;
    else this.#rebuild();
  }

  #rebuild(): void {
    this.#stale = false;
    if (!this.#closed) this.#publish(this.#build());
  }

  #build(): Picker {
    const all = this.#order;
    const total = all.length;
    if (total === 0) return new FailPicker('no-endpoints');
    const healthy = all.filter(isHealthy);
    const panic = healthy.length * 100 < this.options.panicThreshold * total;
    if (!panic && healthy.length === 0) return new FailPicker('no-healthy-endpoints', total);
    const pool = panic ? all : healthy;
    const zone = this.options.localZone;
    const base = { total, healthy: healthy.length, panic, random: this.options.random };
    if (zone !== undefined && !panic) {
      const local = pool.filter((s) => s.endpoint.zone === zone);
      const remote = pool.filter((s) => s.endpoint.zone !== zone);
      if (local.length > 0 && remote.length > 0) {
        let localTotal = 0;
        for (const s of all) if (s.endpoint.zone === zone) localTotal++;
        // Envoy's locality spill-over: the local zone keeps min(1, 1.4 × its healthy fraction).
        const share = Math.min(1, (this.options.overprovisioningFactor * local.length) / localTotal);
        if (share >= 1) {
          return new SnapshotPicker({
            ...base,
            endpoints: local.map((s) => s.endpoint),
            local: this.#distributor(local),
          });
        }
        return new SnapshotPicker({
          ...base,
          endpoints: pool.map((s) => s.endpoint),
          local: this.#distributor(local),
          remote: this.#distributor(remote),
          localShare: share,
        });
      }
    }
    return new SnapshotPicker({
      ...base,
      endpoints: pool.map((s) => s.endpoint),
      local: this.#distributor(pool),
    });
  }

  #distributor(nodes: EndpointState[]): Distributor {
    return this.#factory(Object.freeze(nodes), this.#ctx);
  }

  #publish(picker: Picker): void {
    this.#picker = picker;
    this.emit('picker', picker);
  }
}

function isHealthy(s: EndpointState): boolean {
  return s.healthy && !(s.outlier?.ejected ?? false);
}

function validateEndpoint(e: Endpoint): void {
  if (typeof e !== 'object' || e === null)
    throw new TypeError(`endpoint must be an object, got ${String(e)}`);
  if (typeof e.id !== 'string' || e.id === '') {
    throw new TypeError(`endpoint.id must be a non-empty string, got ${String(e.id)}`);
  }
  if (typeof e.host !== 'string') throw new TypeError(`endpoint.host must be a string (endpoint ${e.id})`);
  if (!Number.isInteger(e.port) || e.port < 0 || e.port > 65535) {
    throw new RangeError(
      `endpoint.port must be an integer in [0, 65535], got ${String(e.port)} (endpoint ${e.id})`,
    );
  }
  if (
    e.weight !== undefined &&
    (typeof e.weight !== 'number' || !Number.isFinite(e.weight) || e.weight <= 0)
  ) {
    throw new RangeError(
      `endpoint.weight must be a positive finite number, got ${String(e.weight)} (endpoint ${e.id})`,
    );
  }
}
