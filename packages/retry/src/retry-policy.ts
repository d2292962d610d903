// The retry loop. The first attempt of a call with no signal, no deadline and the default classifier
// takes a fast path: the context is a shared frozen object, and the backoff iterator, outcome
// objects, controllers and timers appear only on failure. Other calls run the general async path.
import { assertBackoff, type Backoff, type BackoffIterator, exponential } from './backoff.js';
import type { Deadline } from './deadline.js';
import { DeadlineExceededError, RetriesExhaustedError, RetryBudgetExhaustedError } from './errors.js';
import { RetryBudget } from './retry-budget.js';
import { isThenable, MAX_TIMER_MS, NEVER_SIGNAL, raceSignal, sleep } from './signals.js';
import {
  type AttemptContext,
  type Clock,
  defaultClock,
  defaultTimers,
  type Outcome,
  type RetryDecision,
  type ShouldRetry,
  type Timers,
} from './types.js';
import { clockLike, finiteAtLeast, optionalFn, timersLike } from './validate.js';

export interface RetryEvent {
  /** The attempt that just failed (1-based). */
  readonly attempt: number;
  /** ms until the next attempt. */
  readonly delay: number;
  readonly outcome: Outcome<unknown>;
}

export interface RetryPolicyOptions {
  /** Attempts including the first; an integer >= 1 or Infinity (bounded by budget/deadline). Default 3. */
  maxAttempts?: number;
  /** Delay before each retry. Default `exponential()` (100 ms initial, ×2, 10 s cap, full jitter). */
  backoff?: Backoff;
  /**
   * Shared retry budget; `false` for none. Default: a `new RetryBudget()` owned by the policy, so
   * all calls through one policy share it (one policy per downstream service).
   */
  budget?: RetryBudget | false;
  /**
   * Whether to retry an outcome: false = final, true = retry after the backoff, a number = retry after
   * that many ms (server pushback). Default: retry every error, never a result.
   */
  shouldRetry?: ShouldRetry<never>;
  /** Cap on server pushback delays, ms. Default 30 000. */
  maxPushback?: number;
  /**
   * What to do with a retryable *result* (a 503 response, say) that cannot be retried any more
   * (attempts, budget or deadline): `'return'` it to the caller as is (default, as Polly and Finagle
   * do, so an HTTP caller still reads and releases the response), or `'throw'` the give-up error with
   * the result as `cause` (as undici's RetryHandler does). Errors always end in the give-up error.
   */
  exhaustedResult?: 'return' | 'throw';
  /** Called before each sleep. Exceptions propagate (and end the call). */
  onRetry?: (event: RetryEvent) => void;
  /** Clock for the default budget. Default performance.now(). */
  clock?: Clock;
  /** Timers for sleeps and the deadline timer. Default the global setTimeout/clearTimeout. */
  timers?: Timers;
}

export interface RetryCallOptions {
  signal?: AbortSignal;
  deadline?: Deadline;
}

interface Config {
  readonly maxAttempts: number;
  readonly backoff: Backoff;
  readonly budget: RetryBudget | undefined;
  readonly shouldRetry: ShouldRetry<unknown> | undefined;
  readonly maxPushback: number;
  readonly onRetry: ((event: RetryEvent) => void) | undefined;
  readonly timers: Timers;
  readonly returnResults: boolean;
}

export type AttemptFn<T> = (ctx: AttemptContext) => T | PromiseLike<T>;

const FIRST_CONTEXT: AttemptContext = Object.freeze({ signal: NEVER_SIGNAL, attempt: 1 });

export class RetryPolicy {
  readonly maxAttempts: number;
  readonly budget: RetryBudget | undefined;
  private readonly cfg: Config;

  constructor(options: RetryPolicyOptions = {}) {
    const o = { maxAttempts: 3, maxPushback: 30_000, clock: defaultClock, timers: defaultTimers, ...options };
    if (
      o.maxAttempts !== Number.POSITIVE_INFINITY &&
      (!Number.isInteger(o.maxAttempts) || o.maxAttempts < 1)
    ) {
      throw new RangeError(`maxAttempts must be an integer >= 1 or Infinity, got ${String(o.maxAttempts)}`);
    }
    finiteAtLeast('maxPushback', o.maxPushback, 0);
    clockLike('clock', o.clock);
    timersLike('timers', o.timers);
    optionalFn('shouldRetry', o.shouldRetry);
    optionalFn('onRetry', o.onRetry);
    if (o.exhaustedResult !== undefined && o.exhaustedResult !== 'return' && o.exhaustedResult !== 'throw') {
      throw new TypeError(`exhaustedResult must be 'return' or 'throw', got ${String(o.exhaustedResult)}`);
    }
    if (o.backoff !== undefined) assertBackoff('backoff', o.backoff);
    if (o.budget !== undefined && o.budget !== false && !(o.budget instanceof RetryBudget)) {
      throw new TypeError('budget must be a RetryBudget or false');
    }
    const budget = o.budget === false ? undefined : (o.budget ?? new RetryBudget({ clock: o.clock }));
    this.maxAttempts = o.maxAttempts;
    this.budget = budget;
    this.cfg = Object.freeze({
      maxAttempts: o.maxAttempts,
      backoff: o.backoff ?? exponential(),
      budget,
      shouldRetry: o.shouldRetry as ShouldRetry<unknown> | undefined,
      maxPushback: o.maxPushback,
      onRetry: o.onRetry,
      timers: o.timers,
      returnResults: o.exhaustedResult !== 'throw',
    });
  }

  /**
   * Runs `fn` until it succeeds, the outcome is not retryable, or the policy gives up (maxAttempts,
   * budget, deadline). Rejects with `signal.reason` as soon as `signal` aborts.
   */
  execute<T>(fn: AttemptFn<T>, signal?: AbortSignal, deadline?: Deadline): Promise<T> {
    const cfg = this.cfg;
    if (signal !== undefined || deadline !== undefined) return run(cfg, fn, signal, deadline);
    // Fast path: no await frame, no controller, no timer. The closures carry fn to the failure
    // path; they are cheaper than the async function frame they replace (see the benchmark).
    cfg.budget?.deposit();
    let result: T | PromiseLike<T>;
    try {
      result = fn(FIRST_CONTEXT);
    } catch (error) {
      return loop(cfg, fn, undefined, undefined, { ok: false, error });
    }
    const onError = (error: unknown): Promise<T> => loop(cfg, fn, undefined, undefined, { ok: false, error });
    const classify = cfg.shouldRetry;
    if (classify === undefined) {
      if (result instanceof Promise) return result.then(undefined, onError);
      return isThenable(result) ? Promise.resolve(result).then(undefined, onError) : Promise.resolve(result);
    }
    const onValue = (value: T): T | Promise<T> => {
      const outcome: Outcome<T> = { ok: true, value };
      const decision = classify(outcome, 1);
      return decision === false ? value : loop(cfg, fn, undefined, undefined, outcome, decision);
    };
    return Promise.resolve(result).then(onValue, onError);
  }
}

/** One-off retry with its own options; no budget unless you pass one (a budget must be shared). */
export function retry<T>(fn: AttemptFn<T>, options: RetryPolicyOptions & RetryCallOptions = {}): Promise<T> {
  const { signal, deadline, ...rest } = options;
  return new RetryPolicy({ budget: false, ...rest }).execute(fn, signal, deadline);
}

/** The general path: a caller signal (raced) and/or a deadline (one controller and timer). */
async function run<T>(
  cfg: Config,
  fn: AttemptFn<T>,
  signal: AbortSignal | undefined,
  deadline: Deadline | undefined,
): Promise<T> {
  if (signal?.aborted) throw signal.reason;
  if (deadline !== undefined) {
    if (deadline.isExpired()) throw new DeadlineExceededError(0);
    cfg.budget?.deposit();
    return loop(cfg, fn, signal, deadline, undefined);
  }
  cfg.budget?.deposit();
  let value: T;
  try {
    value = await raceSignal(fn({ signal: signal!, attempt: 1 }), signal!);
  } catch (error) {
    if (signal!.aborted) throw signal!.reason;
    return loop(cfg, fn, signal, undefined, { ok: false, error });
  }
  if (cfg.shouldRetry === undefined) return value;
  const outcome: Outcome<T> = { ok: true, value };
  const decision = cfg.shouldRetry(outcome, 1);
  if (decision === false) return value;
  return loop(cfg, fn, signal, undefined, outcome, decision);
}

/** Links the caller's signal and the deadline into one signal for the attempts and sleeps. */
class CallScope {
  readonly controller = new AbortController();
  attempts = 0;
  outcome: Outcome<unknown> | undefined;
  private handle: unknown;
  private readonly onCallerAbort = (): void => this.controller.abort(this.caller?.reason);
  private readonly onDeadline = (): void => {
    this.handle = undefined;
    this.controller.abort(new DeadlineExceededError(this.attempts, this.outcome));
  };

  constructor(
    private readonly caller: AbortSignal | undefined,
    deadline: Deadline,
    private readonly timers: Timers,
  ) {
    caller?.addEventListener('abort', this.onCallerAbort, { once: true });
    const ms = deadline.remaining();
    if (ms <= MAX_TIMER_MS) this.handle = timers.setTimeout(this.onDeadline, ms);
  }

  dispose(): void {
    this.caller?.removeEventListener('abort', this.onCallerAbort);
    if (this.handle !== undefined) this.timers.clearTimeout(this.handle);
    this.handle = undefined;
  }
}

async function loop<T>(
  cfg: Config,
  fn: AttemptFn<T>,
  caller: AbortSignal | undefined,
  deadline: Deadline | undefined,
  first: Outcome<T> | undefined,
  firstDecision?: RetryDecision,
): Promise<T> {
  const scope = deadline === undefined ? undefined : new CallScope(caller, deadline, cfg.timers);
  const signal = scope?.controller.signal ?? caller ?? NEVER_SIGNAL;
  let outcome = first;
  let attempt = first === undefined ? 0 : 1;
  let iterator: BackoffIterator | undefined;
  try {
    for (;;) {
      if (outcome === undefined) {
        if (deadline?.isExpired()) throw new DeadlineExceededError(attempt, scope?.outcome);
        attempt++;
        if (scope !== undefined) scope.attempts = attempt;
        try {
          outcome = { ok: true, value: await raceSignal(fn({ signal, attempt }), signal) };
        } catch (error) {
          if (signal.aborted) throw signal.reason;
          outcome = { ok: false, error };
        }
        if (scope !== undefined) scope.outcome = outcome;
      }
      let decision: RetryDecision;
      if (firstDecision !== undefined) {
        decision = firstDecision; // already asked on the fast path
        firstDecision = undefined;
      } else {
        decision = cfg.shouldRetry === undefined ? !outcome.ok : cfg.shouldRetry(outcome, attempt);
      }
      if (decision === false) {
        if (outcome.ok) return outcome.value;
        throw outcome.error;
      }
      if (attempt >= cfg.maxAttempts) {
        if (outcome.ok && cfg.returnResults) return outcome.value;
        throw new RetriesExhaustedError(attempt, outcome);
      }
      let delay: number;
      if (typeof decision === 'number') {
        delay = Math.min(Math.max(0, decision), cfg.maxPushback);
      } else {
        iterator ??= cfg.backoff.start();
        delay = iterator.next();
      }
      // Never sleep into (or start an attempt at) the deadline: give up as soon as we know.
      if (deadline !== undefined && delay >= deadline.remaining()) {
        if (outcome.ok && cfg.returnResults) return outcome.value;
        throw new DeadlineExceededError(attempt, outcome);
      }
      if (cfg.budget !== undefined && !cfg.budget.tryWithdraw()) {
        if (outcome.ok && cfg.returnResults) return outcome.value;
        throw new RetryBudgetExhaustedError(attempt, outcome);
      }
      cfg.onRetry?.({ attempt, delay, outcome });
      await sleep(delay, signal, cfg.timers);
      outcome = undefined;
    }
  } finally {
    scope?.dispose();
  }
}
