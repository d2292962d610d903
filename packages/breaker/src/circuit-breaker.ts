import { type CircuitBreakerOptions, resolveCircuitBreakerOptions } from './circuit-breaker-options.js';
import {
  type BreakerPermit,
  ClosedCallPermit,
  ClosedPermit,
  type PermitOwner,
  ProbePermit,
} from './circuit-permits.js';
import { type CircuitBreakerSnapshot, checkSnapshot } from './circuit-snapshot.js';
import type { CircuitState, CircuitStateType } from './circuit-state.js';
import type { Clock, Random } from './clock.js';
import { BrokenCircuitError, type CircuitRejectionState } from './errors.js';
import {
  type Disposable,
  disposable,
  emit,
  type Listener,
  noListeners,
  withListener,
  withoutListener,
} from './events.js';
import { type Executable, isThenable, noSignalContext, runWithSignal } from './execute-context.js';
import {
  afterError,
  afterValue,
  FAILURE,
  IGNORE,
  type Outcome,
  SUCCESS,
  settle,
  settleWith,
} from './internal.js';
import type { OpenDuration } from './open-duration.js';
import type { Permit } from './permit.js';
import type { TripStrategy } from './trip-strategy.js';

export interface StateChangeEvent {
  readonly from: CircuitState;
  readonly to: CircuitState;
}
export interface SuccessEvent {
  readonly durationMs: number;
}
export interface FailureEvent {
  readonly durationMs: number;
  /** The error `execute` saw; undefined for `permit.failure()` and failing results. */
  readonly error: unknown;
}
export interface RejectedEvent {
  readonly state: CircuitRejectionState;
  /** ms until a probe may be admitted; undefined when unknown (half-open, isolated). */
  readonly retryAfterMs: number | undefined;
}

/** Monotonic counters (except `inFlight`, a gauge), cheap to export as metrics. */
export interface CircuitBreakerStats {
  readonly state: CircuitStateType;
  /** Permits handed out. */
  readonly admitted: number;
  readonly successes: number;
  readonly failures: number;
  readonly ignored: number;
  /** Calls refused by open, half-open (probe slots full) or isolated. */
  readonly rejected: number;
  /** Settles of permits admitted in an earlier state or period: counted here, not fed to the strategy. */
  readonly late: number;
  /** Transitions into each state. */
  readonly opened: number;
  readonly halfOpened: number;
  readonly closed: number;
  readonly isolated: number;
  /** Permits of the current state not yet settled. */
  readonly inFlight: number;
}

/**
 * A circuit breaker: a state machine over `closed | open | half-open | isolated` with a pluggable
 * trip strategy. It starts no timers: open→half-open is decided when the next call asks.
 */
export class CircuitBreaker implements PermitOwner {
  // Options are copied into fields (no options object kept): fewer objects per breaker.
  readonly #strategy: TripStrategy;
  readonly #clock: Clock;
  readonly #random: Random;
  readonly #openDuration: OpenDuration;
  readonly #maxProbes: number;
  readonly #probeSuccessesToClose: number;
  readonly #isErrorFailure: ((error: unknown) => boolean) | undefined;
  readonly #isResultFailure: ((result: unknown) => boolean) | undefined;
  readonly #usesTime: boolean;
  readonly #usesDuration: boolean;
  #state: CircuitState;
  #closedPermit: ClosedPermit;
  /** Bumped on every change of state or reset, so probe permits of an earlier half-open are late. */
  #epoch = 0;
  #openings = 0;
  #probesInFlight = 0;
  #probeSuccesses = 0;
  #admitted = 0;
  #successes = 0;
  #failures = 0;
  #ignored = 0;
  #rejected = 0;
  #late = 0;
  #opened = 0;
  #halfOpened = 0;
  #closedCount = 0;
  #isolatedCount = 0;
  #stateListeners: readonly Listener<StateChangeEvent>[] = noListeners;
  #successListeners: readonly Listener<SuccessEvent>[] = noListeners;
  #failureListeners: readonly Listener<FailureEvent>[] = noListeners;
  #rejectedListeners: readonly Listener<RejectedEvent>[] = noListeners;

  constructor(options: CircuitBreakerOptions = {}) {
    const o = resolveCircuitBreakerOptions(options);
    this.#strategy = o.strategy;
    this.#clock = o.clock;
    this.#random = o.random;
    this.#openDuration = o.openDuration;
    this.#maxProbes = o.halfOpenMaxProbes;
    this.#probeSuccessesToClose = o.halfOpenSuccesses;
    this.#isErrorFailure = o.isErrorFailure;
    this.#isResultFailure = o.isResultFailure;
    this.#usesTime = this.#strategy.usesTime !== false;
    this.#usesDuration = this.#strategy.usesDuration !== false;
    this.#state = { type: 'closed', since: this.#clock.now() };
    this.#closedPermit = new ClosedPermit(this);
  }

  /** The current state. Reading it changes nothing: an open breaker whose time is up stays open until the next acquire. */
  get state(): CircuitState {
    return this.#state;
  }

  get strategy(): TripStrategy {
    return this.#strategy;
  }

  get stats(): CircuitBreakerStats {
    return Object.freeze({
      state: this.#state.type,
      admitted: this.#admitted,
      successes: this.#successes,
      failures: this.#failures,
      ignored: this.#ignored,
      rejected: this.#rejected,
      late: this.#late,
      opened: this.#opened,
      halfOpened: this.#halfOpened,
      closed: this.#closedCount,
      isolated: this.#isolatedCount,
      inFlight:
        this.#state.type === 'closed'
          ? this.#closedPermit.outstanding
          : this.#state.type === 'half-open'
            ? this.#probesInFlight
            : 0,
    });
  }

  /** Every change of state type (closed, open, half-open, isolated), after it happened. */
  onStateChange(listener: Listener<StateChangeEvent>): Disposable {
    this.#stateListeners = withListener(this.#stateListeners, listener);
    return disposable(() => {
      this.#stateListeners = withoutListener(this.#stateListeners, listener);
    });
  }
  /** Every permit settled as a success (late ones included). */
  onSuccess(listener: Listener<SuccessEvent>): Disposable {
    this.#successListeners = withListener(this.#successListeners, listener);
    return disposable(() => {
      this.#successListeners = withoutListener(this.#successListeners, listener);
    });
  }
  /** Every permit settled as a failure (late ones included). */
  onFailure(listener: Listener<FailureEvent>): Disposable {
    this.#failureListeners = withListener(this.#failureListeners, listener);
    return disposable(() => {
      this.#failureListeners = withoutListener(this.#failureListeners, listener);
    });
  }
  /** Every call refused. */
  onRejected(listener: Listener<RejectedEvent>): Disposable {
    this.#rejectedListeners = withListener(this.#rejectedListeners, listener);
    return disposable(() => {
      this.#rejectedListeners = withoutListener(this.#rejectedListeners, listener);
    });
  }

  /**
   * A permit to make one call, or undefined when the breaker refuses it (open, isolated, or
   * half-open with every probe slot taken). Settle the permit once with the call's outcome.
   */
  tryAcquire(): Permit | undefined {
    if (this.#state.type === 'closed') {
      this.#closedPermit.outstanding++;
      this.#admitted++;
      return new ClosedCallPermit(this.#closedPermit);
    }
    return this.#acquireSlow();
  }

  /** `execute`'s acquire: it settles each call exactly once itself, so it can share the closed permit. */
  #acquire(): BreakerPermit | undefined {
    if (this.#state.type === 'closed') {
      this.#closedPermit.outstanding++;
      this.#admitted++;
      return this.#closedPermit;
    }
    return this.#acquireSlow() as ProbePermit | undefined;
  }

  #acquireSlow(): ProbePermit | undefined {
    let state = this.#state;
    if (state.type === 'open') {
      const now = this.#clock.now();
      if (now < state.retryAt) return this.#reject(state);
      this.#probeSuccesses = 0;
      this.#probesInFlight = 0;
      this.#halfOpened++;
      state = this.#moveTo({ type: 'half-open', since: now });
    }
    if (state.type === 'half-open' && this.#probesInFlight < this.#maxProbes) {
      this.#probesInFlight++;
      this.#admitted++;
      return new ProbePermit(this, this.#epoch);
    }
    return this.#reject(state);
  }

  #reject(state: CircuitState): undefined {
    this.#rejected++;
    if (this.#rejectedListeners.length > 0) {
      const retryAfterMs = state.type === 'open' ? Math.max(0, state.retryAt - this.#clock.now()) : undefined;
      emit(this.#rejectedListeners, { state: state.type as CircuitRejectionState, retryAfterMs });
    }
    return undefined;
  }

  /** The error `execute` rejects with when `tryAcquire()` refused; describes the current state. */
  rejection(): BrokenCircuitError {
    const s = this.#state;
    const now = this.#clock.now();
    if (s.type === 'open') return new BrokenCircuitError('open', s.retryAt, now);
    return new BrokenCircuitError(s.type === 'isolated' ? 'isolated' : 'half-open', undefined, now);
  }

  /** Called by permits when they settle; `now` is meaningful only when `timed`. */
  [settle](
    permit: BreakerPermit,
    outcome: Outcome,
    durationMs: number,
    error: unknown,
    now: number,
    timed: boolean,
  ): void {
    if (outcome === SUCCESS) {
      this.#successes++;
      if (this.#successListeners.length > 0) emit(this.#successListeners, { durationMs });
    } else if (outcome === FAILURE) {
      this.#failures++;
      if (this.#failureListeners.length > 0) emit(this.#failureListeners, { durationMs, error });
    } else {
      this.#ignored++;
    }
    if (permit === this.#closedPermit) {
      if (outcome === IGNORE) return;
      // Read the clock only if the strategy needs it, or to open.
      if (!timed && this.#usesTime) {
        now = this.#clock.now();
        timed = true;
      }
      if (this.#strategy.record(outcome === FAILURE, durationMs, now))
        this.#open(timed ? now : this.#clock.now());
    } else if (permit instanceof ProbePermit && permit.epoch === this.#epoch) {
      this.#probesInFlight--;
      if (outcome === IGNORE) return;
      if (!timed) now = this.#clock.now();
      if (outcome === FAILURE) this.#open(now);
      else if (++this.#probeSuccesses >= this.#probeSuccessesToClose) this.#close(now);
    } else {
      this.#late++;
    }
  }

  #open(now: number): void {
    const duration = this.#openDuration.durationMs(this.#openings, this.#random);
    this.#openings++;
    this.#opened++;
    this.#moveTo({ type: 'open', since: now, retryAt: now + duration, openings: this.#openings });
  }

  #close(now: number): void {
    this.#openings = 0;
    this.#strategy.reset(now);
    this.#closedPermit = new ClosedPermit(this);
    this.#closedCount++;
    this.#moveTo({ type: 'closed', since: now });
  }

  #moveTo(to: CircuitState): CircuitState {
    const from = this.#state;
    this.#state = to;
    this.#epoch++;
    // A permit of the closed period just left is late from now on.
    if (from.type === 'closed' && to.type !== 'closed') this.#closedPermit = new ClosedPermit(this);
    if (this.#stateListeners.length > 0 && from.type !== to.type) emit(this.#stateListeners, { from, to });
    return to;
  }

  /** Forces the breaker open until `reset()`, whatever the strategy says. */
  isolate(): void {
    if (this.#state.type === 'isolated') return;
    this.#isolatedCount++;
    this.#moveTo({ type: 'isolated', since: this.#clock.now() });
  }

  /** Back to closed with an empty window and no backoff history; permits already out become late. */
  reset(): void {
    const now = this.#clock.now();
    if (this.#state.type === 'closed') {
      this.#openings = 0;
      this.#strategy.reset(now);
      this.#closedPermit = new ClosedPermit(this);
      this.#epoch++;
      return;
    }
    this.#close(now);
  }

  /**
   * Runs `fn` if the breaker admits it, records its outcome, and returns its result. Refused calls
   * reject with `BrokenCircuitError`; an aborted `signal` rejects at once with its reason and the
   * call counts as ignored. Errors for which `isErrorFailure` is false pass through uncounted.
   */
  execute<T>(fn: Executable<T>, signal?: AbortSignal): Promise<T> {
    if (signal !== undefined) return this.#executeWithSignal(fn, signal);
    const permit = this.#acquire();
    if (permit === undefined) return Promise.reject(this.rejection());
    const timed = this.#timed();
    const start = timed ? this.#clock.now() : 0;
    let value: Promise<T> | T;
    try {
      value = fn(noSignalContext);
    } catch (err) {
      return Promise.reject(this.#settleError(permit, err, timed, start, false));
    }
    // Plain `then` callbacks, not an async function: one promise and no generator per call.
    if (!(value instanceof Promise)) {
      if (!isThenable(value)) return Promise.resolve(this.#settleValue(permit, value, timed, start));
      value = Promise.resolve(value);
    }
    if (!timed && permit instanceof ClosedPermit) {
      // The common case: reuse the closed period's callbacks, no closure per call.
      const cb = permit.callbacks();
      return value.then(cb.onValue, cb.onError) as Promise<T>;
    }
    return value.then(
      (v) => this.#settleValue(permit, v, timed, start),
      (err: unknown) => {
        throw this.#settleError(permit, err, timed, start, false);
      },
    );
  }

  [afterValue](permit: ClosedPermit, value: unknown): unknown {
    return this.#settleValue(permit, value, false, 0);
  }

  [afterError](permit: ClosedPermit, error: unknown): unknown {
    return this.#settleError(permit, error, false, 0, false);
  }

  async #executeWithSignal<T>(fn: Executable<T>, signal: AbortSignal): Promise<T> {
    if (signal.aborted) throw signal.reason;
    const permit = this.#acquire();
    if (permit === undefined) throw this.rejection();
    const timed = this.#timed();
    const start = timed ? this.#clock.now() : 0;
    let result: T;
    try {
      result = await runWithSignal(fn, signal);
    } catch (err) {
      throw this.#settleError(permit, err, timed, start, signal.aborted);
    }
    return this.#settleValue(permit, result, timed, start);
  }

  // Time calls only when someone uses the duration: a clock read is the dearest step of execute.
  #timed(): boolean {
    return this.#usesDuration || this.#successListeners.length > 0 || this.#failureListeners.length > 0;
  }

  #settleValue<T>(permit: BreakerPermit, value: T, timed: boolean, start: number): T {
    const end = timed ? this.#clock.now() : 0;
    const failed =
      this.#isResultFailure !== undefined && this.#classify(permit, this.#isResultFailure, value);
    permit[settleWith](failed ? FAILURE : SUCCESS, end - start, undefined, end, timed);
    return value;
  }

  // A throwing predicate must not leak the permit: the call is ignored and the predicate's error surfaces.
  #classify(permit: BreakerPermit, predicate: (x: unknown) => boolean, x: unknown): boolean {
    try {
      return predicate(x) === true;
    } catch (err) {
      permit.ignore();
      throw err;
    }
  }

  /** Settles for a thrown error (ignored when aborted or not a failure) and returns it to rethrow. */
  #settleError(
    permit: BreakerPermit,
    err: unknown,
    timed: boolean,
    start: number,
    aborted: boolean,
  ): unknown {
    const end = timed ? this.#clock.now() : 0;
    const counted =
      !aborted && (this.#isErrorFailure === undefined || this.#classify(permit, this.#isErrorFailure, err));
    permit[settleWith](counted ? FAILURE : IGNORE, end - start, err, end, timed);
    return err;
  }

  /** The state and window as JSON-safe data (see CircuitBreakerSnapshot). */
  exportSnapshot(): CircuitBreakerSnapshot {
    const now = this.#clock.now();
    const s = this.#state;
    const strategy = this.#strategy.snapshot(now);
    if (s.type === 'open') {
      return {
        version: 1,
        state: s.type,
        openings: this.#openings,
        retryAfterMs: Math.max(0, s.retryAt - now),
        strategy,
      };
    }
    if (s.type === 'half-open') {
      return {
        version: 1,
        state: s.type,
        openings: this.#openings,
        halfOpenSuccesses: this.#probeSuccesses,
        strategy,
      };
    }
    return { version: 1, state: s.type, openings: this.#openings, strategy };
  }

  /**
   * Replaces this breaker's state and window with a snapshot. Permits already out become late.
   * Throws TypeError on a malformed snapshot or one from another kind of strategy, changing nothing.
   */
  importSnapshot(snapshot: CircuitBreakerSnapshot): void {
    checkSnapshot(snapshot);
    const now = this.#clock.now();
    this.#strategy.restore(snapshot.strategy, now);
    this.#openings = snapshot.openings;
    this.#probesInFlight = 0;
    this.#probeSuccesses = snapshot.state === 'half-open' ? (snapshot.halfOpenSuccesses ?? 0) : 0;
    this.#closedPermit = new ClosedPermit(this);
    const s = snapshot.state;
    this.#moveTo(
      s === 'open'
        ? {
            type: 'open',
            since: now,
            retryAt: now + (snapshot.retryAfterMs ?? 0),
            openings: snapshot.openings,
          }
        : { type: s, since: now },
    );
  }
}
