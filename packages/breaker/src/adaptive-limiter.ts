import {
  type AdaptiveLimiterOptions,
  type ResolvedAdaptiveLimiterOptions,
  resolveAdaptiveLimiterOptions,
} from './adaptive-limiter-options.js';
import type { LimiterPermit } from './adaptive-permit.js';
import { LimitExceededError } from './errors.js';
import { type Executable, invoke, noSignalContext, raceAbort } from './execute-context.js';

export interface AdaptiveLimiterStats {
  /** Gauge: permits out and not yet settled. */
  readonly inFlight: number;
  /** Gauge: the algorithm's current limit. */
  readonly limit: number;
  /** Permits handed out. */
  readonly admitted: number;
  /** Calls refused (limit reached, or closed). */
  readonly rejected: number;
  /** Permits settled with success (an RTT sample). */
  readonly successes: number;
  /** Permits settled as dropped (or failure). */
  readonly dropped: number;
  /** Permits released without a sample. */
  readonly ignored: number;
}

const SUCCESS = 0;
const DROPPED = 1;
const IGNORED = 2;
type Outcome = typeof SUCCESS | typeof DROPPED | typeof IGNORED;

/** Key of the limiter method a permit calls on its first settle (kept off the public surface). */
const settle: unique symbol = Symbol('breakwater.limiter.settle');

/** One admitted call: remembers when it started and how many were in flight, settles once. */
class AdaptivePermit implements LimiterPermit {
  #limiter: AdaptiveLimiter | undefined;
  readonly startTime: number;
  readonly inflight: number;
  constructor(limiter: AdaptiveLimiter, startTime: number, inflight: number) {
    this.#limiter = limiter;
    this.startTime = startTime;
    this.inflight = inflight;
  }
  success(rttMs?: number): void {
    this.#settle(SUCCESS, rttMs);
  }
  failure(rttMs?: number): void {
    this.#settle(DROPPED, rttMs);
  }
  dropped(): void {
    this.#settle(DROPPED, undefined);
  }
  ignore(): void {
    this.#settle(IGNORED, undefined);
  }
  #settle(outcome: Outcome, rttMs: number | undefined): void {
    const l = this.#limiter;
    if (l === undefined) return;
    this.#limiter = undefined;
    l[settle](this, outcome, rttMs);
  }
}

/**
 * Admits a call while fewer than `limit` are in flight, where the limit is set by a
 * LimitAlgorithm from the RTTs and drops of finished calls (as Netflix's `SimpleLimiter`).
 * No queue: a call over the limit is refused at once, so overload is shed instead of queued.
 * Same permit API as `Bulkhead`, so either can guard the same code. Starts no timers.
 */
export class AdaptiveLimiter {
  readonly #o: ResolvedAdaptiveLimiterOptions;
  #inFlight = 0;
  #closed = false;
  #admitted = 0;
  #rejected = 0;
  #successes = 0;
  #dropped = 0;
  #ignored = 0;

  constructor(options: AdaptiveLimiterOptions = {}) {
    this.#o = resolveAdaptiveLimiterOptions(options);
  }

  /** Gauge: the algorithm's current limit. */
  get limit(): number {
    return this.#o.limit.limit;
  }
  /** The algorithm's name (`'aimd'`, `'vegas'`, `'gradient2'`, …). */
  get algorithm(): string {
    return this.#o.limit.type;
  }
  /** Gauge: permits out and not yet settled. */
  get inFlight(): number {
    return this.#inFlight;
  }
  /** Always 0: the limiter sheds instead of queueing (kept so it reads like a Bulkhead). */
  get queued(): number {
    return 0;
  }
  get closed(): boolean {
    return this.#closed;
  }
  get stats(): AdaptiveLimiterStats {
    return Object.freeze({
      inFlight: this.#inFlight,
      limit: this.#o.limit.limit,
      admitted: this.#admitted,
      rejected: this.#rejected,
      successes: this.#successes,
      dropped: this.#dropped,
      ignored: this.#ignored,
    });
  }

  /** A permit if fewer than `limit` calls are in flight, else undefined. Never waits. */
  tryAcquire(): LimiterPermit | undefined {
    if (this.#closed || this.#inFlight >= this.#o.limit.limit) {
      this.#rejected++;
      return undefined;
    }
    this.#admitted++;
    return new AdaptivePermit(this, this.#o.clock.now(), ++this.#inFlight);
  }

  /**
   * The error that describes a refusal now (limit reached, or closed): for callers of
   * `tryAcquire()` that want to throw or report it.
   */
  rejection(): LimitExceededError {
    return new LimitExceededError(this.#closed ? 'closed' : 'limit', this.#o.limit.limit, this.#inFlight);
  }

  /**
   * `tryAcquire()` as a promise, for code written against `Bulkhead.acquire`: resolves at once
   * with a permit or rejects with LimitExceededError (there is no queue to wait in); an aborted
   * signal rejects with its reason.
   */
  acquire(signal?: AbortSignal): Promise<LimiterPermit> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const permit = this.tryAcquire();
    return permit === undefined ? Promise.reject(this.rejection()) : Promise.resolve(permit);
  }

  /**
   * Runs fn if a slot is free, else rejects with LimitExceededError without calling it. A result
   * is a success sample (RTT measured with the clock); a thrown error is a drop if `isErrorDrop`
   * says so, else ignored; an abort rejects at once with the signal's reason and is ignored.
   */
  execute<T>(fn: Executable<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const permit = this.tryAcquire();
    if (permit === undefined) return Promise.reject(this.rejection());
    const pending = invoke(fn, signal ?? noSignalContext.signal);
    const isErrorDrop = this.#o.isErrorDrop;
    pending.then(
      () => permit.success(),
      (err: unknown) => {
        if (signal?.aborted !== true && isErrorDrop?.(err) === true) permit.dropped();
        else permit.ignore();
      },
    );
    if (signal === undefined) return pending;
    // The abort wins the race: the permit is ignored now, the late outcome of fn is a no-op.
    const onAbort = (): void => permit.ignore();
    signal.addEventListener('abort', onAbort, { once: true });
    const done = (): void => signal.removeEventListener('abort', onAbort);
    pending.then(done, done);
    return raceAbort(pending, signal);
  }

  /** Called by a permit's first settle. */
  [settle](permit: AdaptivePermit, outcome: Outcome, rttMs: number | undefined): void {
    this.#inFlight--;
    if (outcome === IGNORED) {
      this.#ignored++;
      return;
    }
    const rtt = rttMs ?? this.#o.clock.now() - permit.startTime;
    if (outcome === SUCCESS) this.#successes++;
    else this.#dropped++;
    this.#o.limit.onSample(permit.startTime, rtt, permit.inflight, outcome === DROPPED);
  }

  /** Refuses new calls; permits already out may still settle (and still feed the algorithm). Idempotent. */
  close(): Promise<void> {
    this.#closed = true;
    return Promise.resolve();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
