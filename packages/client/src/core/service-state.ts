// Transport-agnostic per-service state: the discovery watch, the balancer, per-endpoint breakers
// and transports, the service breaker, bulkhead and retry budget, and endpoint selection with
// breaker permits. HTTP and gRPC clients drive it; it does no I/O of its own besides the watch.

import {
  Bulkhead,
  CircuitBreaker,
  type ConcurrencyGuard,
  ConsecutiveFailures,
  type Permit,
} from '@breakwater/breaker';
import type { Disposer, Endpoint, Registry, WatchEvent } from '@breakwater/discovery';
import { Balancer, type PickedEndpoint, type PickRequest } from '@breakwater/loadbalance';
import { RetryBudget } from '@breakwater/retry';
import type { Clock, Random } from '../clock.js';
import type { BreakerPolicy, ResolvedServicePolicy } from '../options.js';
import { channels } from './channels.js';
import { EndpointSlot } from './endpoint-slot.js';
import { HedgeDelay } from './hedge-delay.js';
import { type ClientMetrics, EndpointMetrics, ServiceMetrics } from './metrics.js';
import type { Transport } from './transport.js';

/** Picks tried per attempt before giving up (a refused breaker permit or an already tried endpoint). */
export const MAX_PICKS = 5;

/** A permit that does nothing, for endpoints without a breaker. */
export const NO_PERMIT: Permit = Object.freeze({ success() {}, failure() {}, ignore() {} });

export interface ServiceContext {
  readonly registry: Registry;
  readonly clock: Clock;
  readonly random: Random;
  readonly metrics: ClientMetrics | undefined;
  readonly evaluateIntervalMs: number;
}

/** Something that can tell whether an endpoint was already tried by the current call. */
export interface TriedSet<T> {
  hasTried(slot: EndpointSlot<T>): boolean;
  readonly triedCount: number;
}

function makeBreaker(policy: BreakerPolicy, clock: Clock, random: Random): CircuitBreaker {
  const { strategy, ...rest } = policy;
  return new CircuitBreaker({ ...rest, strategy: strategy?.(), clock, random });
}

function defaultEndpointStrategy(policy: BreakerPolicy): BreakerPolicy {
  return policy.strategy === undefined
    ? { ...policy, strategy: () => new ConsecutiveFailures({ threshold: 5 }) }
    : policy;
}

export class ServiceState<T> {
  readonly name: string;
  readonly policy: ResolvedServicePolicy;
  readonly balancer: Balancer;
  readonly budget: RetryBudget | undefined;
  /** Recent attempt latencies, for adaptive hedge delays (when any of the service's plans hedges adaptively). */
  readonly hedgeDelay: HedgeDelay | undefined;
  readonly breaker: CircuitBreaker | undefined;
  readonly bulkhead: ConcurrencyGuard | undefined;
  readonly metrics: ServiceMetrics | undefined;
  readonly #ctx: ServiceContext;
  readonly #transport: Transport<T>;
  readonly #endpointBreaker: BreakerPolicy | false;
  #slots = new Map<string, EndpointSlot<T>>();
  readonly #byHandle = new Map<PickedEndpoint, EndpointSlot<T>>();
  readonly #benched = new Set<EndpointSlot<T>>();
  readonly #draining = new Set<Promise<void>>();
  #dispose: Disposer | undefined;
  #nextEvaluate: number;
  #closed = false;
  /** True once the registry answered (a snapshot or an error). */
  ready = false;
  #readyWaiters: (() => void)[] = [];
  /** The last error the registry reported, if any. */
  lastError: Error | undefined;
  /** Scratch result of pick(): the permit taken on the picked endpoint. */
  permit: Permit = NO_PERMIT;
  /** Scratch result of a failed pick(): why. */
  failReason = '';
  failCause: unknown;

  constructor(name: string, policy: ResolvedServicePolicy, ctx: ServiceContext, transport: Transport<T>) {
    this.name = name;
    this.policy = policy;
    this.#ctx = ctx;
    this.#transport = transport;
    this.balancer = new Balancer({ ...policy.balancer, clock: ctx.clock, random: ctx.random });
    this.budget =
      policy.budget === false ? undefined : new RetryBudget({ ...policy.budget, clock: ctx.clock });
    const adaptive =
      policy.plan.hedgePercentile !== undefined ||
      policy.routes.some((r) => r.plan.hedgePercentile !== undefined);
    this.hedgeDelay = adaptive ? new HedgeDelay() : undefined;
    this.breaker =
      policy.serviceBreaker === false ? undefined : makeBreaker(policy.serviceBreaker, ctx.clock, ctx.random);
    const b = policy.bulkhead;
    this.bulkhead =
      b === false ? undefined : typeof b === 'function' ? b() : new Bulkhead({ ...b, clock: ctx.clock });
    this.#endpointBreaker =
      policy.endpointBreaker === false ? false : defaultEndpointStrategy(policy.endpointBreaker);
    this.metrics = ctx.metrics === undefined ? undefined : new ServiceMetrics(ctx.metrics, name);
    this.#nextEvaluate = ctx.clock.now() + ctx.evaluateIntervalMs;
    if (this.breaker !== undefined) ctx.metrics?.breakerState.set({ service: name, endpoint: '*' }, 0);
    this.breaker?.onStateChange(({ from, to }) => {
      ctx.metrics?.breakerState.set({ service: name, endpoint: '*' }, breakerValue(to.type));
      if (channels.breakerState.hasSubscribers) {
        channels.breakerState.publish({ service: name, endpoint: undefined, from: from.type, to: to.type });
      }
    });
    this.balancer.on('eject', (e) => {
      this.#byId(e.endpoint.id)?.metrics?.ejected(e.reason);
      if (channels.eject.hasSubscribers) {
        channels.eject.publish({
          service: name,
          endpoint: e.endpoint.id,
          reason: e.reason,
          durationMs: e.durationMs,
          ejections: e.ejections,
        });
      }
    });
    this.balancer.on('uneject', (e) => {
      if (channels.uneject.hasSubscribers)
        channels.uneject.publish({ service: name, endpoint: e.endpoint.id });
    });
  }

  #byId(id: string): EndpointSlot<T> | undefined {
    return this.#slots.get(id);
  }

  /** Starts the registry watch (once). Static registries answer synchronously. */
  start(): void {
    if (this.#dispose !== undefined || this.#closed) return;
    this.#dispose = this.#ctx.registry.watch(this.name, (event) => this.#onWatch(event));
  }

  /** Resolves once the registry has answered (a snapshot or an error). */
  whenReady(cb: () => void): void {
    if (this.ready) cb();
    else this.#readyWaiters.push(cb);
  }

  #onWatch(event: WatchEvent): void {
    if (this.#closed) return;
    if (event.type === 'endpoints') {
      try {
        this.update(event.endpoints);
        this.lastError = undefined;
      } catch (error) {
        // A snapshot the balancer rejects (duplicate id, bad port): keep the previous one.
        this.lastError = error as Error;
        if (channels.discoveryError.hasSubscribers) {
          channels.discoveryError.publish({ service: this.name, error });
        }
      }
    } else {
      // Keep the last good snapshot (the registry does too); calls keep flowing.
      this.lastError = event.error;
      if (channels.discoveryError.hasSubscribers) {
        channels.discoveryError.publish({ service: this.name, error: event.error });
      }
    }
    if (!this.ready) {
      this.ready = true;
      const waiters = this.#readyWaiters;
      this.#readyWaiters = [];
      for (const w of waiters) w();
    }
  }

  /** Applies an endpoint snapshot: balancer, then slots (new transports, departed ones drained). */
  update(snapshot: readonly Endpoint[]): void {
    // Weight 0 means "no traffic" in Consul; the balancer wants positive weights.
    const endpoints = snapshot.some((e) => e.weight === 0)
      ? snapshot.filter((e) => e.weight !== 0)
      : snapshot;
    this.balancer.update(endpoints);
    const next = new Map<string, EndpointSlot<T>>();
    for (const e of endpoints) {
      const existing = this.#slots.get(e.id);
      if (existing !== undefined && existing.endpoint.host === e.host && existing.endpoint.port === e.port) {
        existing.endpoint = e;
        next.set(e.id, existing);
        continue;
      }
      if (existing !== undefined) this.#retire(existing);
      const handle = this.balancer.handle(e.id);
      if (handle === undefined) continue;
      next.set(e.id, this.#createSlot(e, handle));
    }
    for (const [id, slot] of this.#slots) if (!next.has(id)) this.#retire(slot);
    this.#slots = next;
    if (channels.endpoints.hasSubscribers) {
      channels.endpoints.publish({ service: this.name, endpoints: endpoints.map((e) => e.id) });
    }
  }

  #createSlot(e: Endpoint, handle: PickedEndpoint): EndpointSlot<T> {
    const ctx = this.#ctx;
    const breaker =
      this.#endpointBreaker === false ? undefined : makeBreaker(this.#endpointBreaker, ctx.clock, ctx.random);
    const metrics = ctx.metrics === undefined ? undefined : new EndpointMetrics(ctx.metrics, this.name, e.id);
    const slot = new EndpointSlot<T>(e, handle, this.#transport.create(e), breaker, metrics);
    metrics?.breakerState('closed');
    breaker?.onStateChange(({ from, to }) => {
      metrics?.breakerState(to.type);
      if (to.type === 'open' || to.type === 'isolated') {
        // Skip the endpoint in picks until its breaker may probe again (no timers: checked lazily).
        slot.benchedUntil = to.type === 'open' ? to.retryAt : Number.POSITIVE_INFINITY;
        this.#benched.add(slot);
        if (this.#slots.get(slot.id) === slot) this.balancer.setHealthy(slot.id, false);
        if (to.type === 'open' && to.retryAt < this.#nextEvaluate) this.#nextEvaluate = to.retryAt;
      } else if (to.type === 'closed' && this.#benched.delete(slot)) {
        slot.benchedUntil = -1;
        if (this.#slots.get(slot.id) === slot && !slot.healthDown) this.balancer.setHealthy(slot.id, true);
      }
      if (channels.breakerState.hasSubscribers) {
        channels.breakerState.publish({
          service: this.name,
          endpoint: slot.id,
          from: from.type,
          to: to.type,
        });
      }
    });
    this.#byHandle.set(handle, slot);
    return slot;
  }

  #retire(slot: EndpointSlot<T>, drainMs = this.policy.pool.drainTimeoutMs): void {
    this.#byHandle.delete(slot.handle);
    this.#benched.delete(slot);
    slot.metrics?.remove();
    const p = this.#transport.drain(slot.transport, drainMs);
    this.#draining.add(p);
    void p.finally(() => this.#draining.delete(p));
  }

  /**
   * Lets outlier ejections expire, runs the interval detectors and un-benches endpoints whose
   * breaker may probe again. Called on the hot path; does work at most once per interval.
   */
  maybeEvaluate(now: number): void {
    if (now < this.#nextEvaluate) return;
    this.#nextEvaluate = now + this.#ctx.evaluateIntervalMs;
    this.balancer.evaluate(now);
    for (const slot of this.#benched) {
      if (slot.benchedUntil <= now) {
        // The breaker will admit a half-open probe on the next acquire: let the picker choose it.
        this.#benched.delete(slot);
        slot.benchedUntil = -1;
        if (this.#slots.get(slot.id) === slot && !slot.healthDown) this.balancer.setHealthy(slot.id, true);
      } else if (slot.benchedUntil < this.#nextEvaluate) {
        this.#nextEvaluate = slot.benchedUntil;
      }
    }
  }

  /**
   * Picks an endpoint and takes its breaker permit (left in `this.permit`). Prefers endpoints the
   * call has not tried; bounded. Returns undefined with `failReason` set when nothing can be picked.
   */
  pick(tried: TriedSet<T> | undefined, request?: PickRequest): EndpointSlot<T> | undefined {
    const picker = this.balancer.picker;
    let refused: EndpointSlot<T> | undefined;
    let fallback: EndpointSlot<T> | undefined;
    for (let i = 0; i < MAX_PICKS; i++) {
      const r = picker.pick(request);
      if (r.type === 'fail') {
        this.failReason = r.reason;
        this.failCause = this.lastError;
        return undefined;
      }
      const slot = this.#byHandle.get(r);
      if (slot === undefined) continue;
      if (
        tried !== undefined &&
        tried.triedCount > 0 &&
        tried.hasTried(slot) &&
        picker.endpoints.length > 1
      ) {
        fallback = slot;
        continue;
      }
      const breaker = slot.breaker;
      if (breaker === undefined) {
        this.permit = NO_PERMIT;
        return slot;
      }
      const permit = breaker.tryAcquire();
      if (permit !== undefined) {
        this.permit = permit;
        return slot;
      }
      refused = slot;
      // The key's endpoint refuses (half-open, probe taken): the same key would pick it again.
      request = undefined;
    }
    // Every random pick landed on an endpoint that refuses (with 3 endpoints and one refusing, about
    // 1 call in 80): one pass over the picker's endpoints for one that admits, so a call is not
    // refused while an admitting endpoint is listed. Rare path; the hot path never gets here.
    for (const ep of picker.endpoints) {
      const slot = this.#slots.get(ep.id);
      if (slot === undefined || slot === refused || slot === fallback) continue;
      if (tried !== undefined && tried.triedCount > 0 && tried.hasTried(slot)) continue;
      const permit = slot.breaker === undefined ? NO_PERMIT : slot.breaker.tryAcquire();
      if (permit !== undefined) {
        this.permit = permit;
        return slot;
      }
      refused = slot;
    }
    if (fallback !== undefined) {
      const permit = fallback.breaker === undefined ? NO_PERMIT : fallback.breaker.tryAcquire();
      if (permit !== undefined) {
        this.permit = permit;
        return fallback;
      }
      refused = fallback;
    }
    this.failReason = 'circuit-open';
    this.failCause = refused?.breaker?.rejection();
    return undefined;
  }

  /**
   * An active health check's verdict on endpoint `id` (gRPC health checking): a NOT_SERVING endpoint
   * leaves the picker; SERVING puts it back unless its breaker still benches it.
   */
  setServing(id: string, serving: boolean): void {
    const slot = this.#slots.get(id);
    if (slot === undefined || this.#closed) return;
    slot.healthDown = !serving;
    this.balancer.setHealthy(id, serving && !this.#benched.has(slot));
  }

  /** Gauge values for metrics. */
  counts(): { inFlight: number; queued: number; total: number; healthy: number } {
    const picker = this.balancer.picker;
    return {
      inFlight: this.bulkhead?.inFlight ?? 0,
      queued: this.bulkhead?.queued ?? 0,
      total: picker.total,
      healthy: picker.healthy,
    };
  }

  /** Endpoint slots currently in the snapshot (tests, introspection). */
  slots(): EndpointSlot<T>[] {
    return [...this.#slots.values()];
  }

  /** Stops the watch, drains every transport and closes the policies. */
  /** `force`: destroy the transports now instead of letting calls in flight finish. */
  async close(force = false): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#dispose?.();
    this.#dispose = undefined;
    const waiters = this.#readyWaiters;
    this.#readyWaiters = [];
    this.ready = true;
    for (const w of waiters) w();
    for (const slot of this.#slots.values()) this.#retire(slot, force ? 0 : this.policy.pool.drainTimeoutMs);
    this.#slots = new Map();
    this.balancer.close();
    await Promise.all([...this.#draining, this.bulkhead?.close()]);
  }
}

function breakerValue(type: string): number {
  return type === 'closed' ? 0 : type === 'half-open' ? 1 : type === 'open' ? 2 : 3;
}
