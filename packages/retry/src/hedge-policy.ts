// Hedging ("backup requests", Dean & Barroso, The Tail at Scale): if the first attempt has not
// answered after `delay`, start another, up to `maxHedged` extra attempts; the first acceptable answer
// wins and the others are aborted through their signals (reason: HedgeLostError). A retryable failure
// starts the next hedge at once (or after the server's pushback), as gRPC's hedging policy (A6) does.
// Every extra attempt withdraws from the retry budget; without a token, no hedge is sent.
import type { Deadline } from './deadline.js';
import {
  DeadlineExceededError,
  HedgeLostError,
  RetriesExhaustedError,
  RetryBudgetExhaustedError,
} from './errors.js';
import { LatencyTracker } from './latency-tracker.js';
import { RetryBudget } from './retry-budget.js';
import type { AttemptFn } from './retry-policy.js';
import { isThenable, MAX_TIMER_MS } from './signals.js';
import {
  type Clock,
  defaultClock,
  defaultTimers,
  type Outcome,
  type ShouldRetry,
  type Timers,
} from './types.js';
import { clockLike, finiteAtLeast, integerInRange, optionalFn, timersLike } from './validate.js';

export interface AdaptiveHedgeDelay {
  /** Latency percentile of successful attempts to wait for before hedging. Default 0.95. */
  percentile?: number;
  /** Delay used until `minSamples` latencies were seen, ms. Default 50. */
  initial?: number;
  /** Bounds on the computed delay, ms. Defaults 1 and Infinity. */
  min?: number;
  max?: number;
  /** Samples kept (the most recent). Default 256. */
  window?: number;
  /** Samples needed before the percentile is used. Default 20. */
  minSamples?: number;
}

export interface HedgePolicyOptions {
  /** Fixed delay in ms before each hedge, or adaptive (a latency percentile). Default `{}` = adaptive p95. */
  delay?: number | AdaptiveHedgeDelay;
  /** Extra attempts beyond the first. Default 1. */
  maxHedged?: number;
  /** Shared retry budget each hedge withdraws from; `false` for none. Default a new RetryBudget(). */
  budget?: RetryBudget | false;
  /**
   * Which outcomes may not win: true/number = a failed attempt (start the next hedge now, or after
   * that many ms of pushback); false = final (it settles the call). Default: every error is retryable,
   * every result wins.
   */
  shouldRetry?: ShouldRetry<never>;
  /** Cap on server pushback delays, ms. Default 30 000. */
  maxPushback?: number;
  clock?: Clock;
  timers?: Timers;
}

interface HedgeConfig {
  readonly fixedDelay: number | undefined;
  readonly tracker: LatencyTracker | undefined;
  readonly adaptive: Required<Pick<AdaptiveHedgeDelay, 'initial' | 'min' | 'max'>>;
  readonly maxAttempts: number;
  readonly budget: RetryBudget | undefined;
  readonly shouldRetry: ShouldRetry<unknown> | undefined;
  readonly maxPushback: number;
  readonly clock: Clock;
  readonly timers: Timers;
}

export class HedgePolicy {
  readonly budget: RetryBudget | undefined;
  private readonly cfg: HedgeConfig;

  constructor(options: HedgePolicyOptions = {}) {
    const o = {
      delay: {},
      maxHedged: 1,
      maxPushback: 30_000,
      clock: defaultClock,
      timers: defaultTimers,
      ...options,
    };
    integerInRange('maxHedged', o.maxHedged, 0, 1000);
    finiteAtLeast('maxPushback', o.maxPushback, 0);
    clockLike('clock', o.clock);
    timersLike('timers', o.timers);
    optionalFn('shouldRetry', o.shouldRetry);
    if (o.budget !== undefined && o.budget !== false && !(o.budget instanceof RetryBudget)) {
      throw new TypeError('budget must be a RetryBudget or false');
    }
    let fixedDelay: number | undefined;
    let tracker: LatencyTracker | undefined;
    const adaptive = { initial: 50, min: 1, max: Number.POSITIVE_INFINITY };
    if (typeof o.delay === 'number') {
      fixedDelay = finiteAtLeast('delay', o.delay, 0);
    } else if (typeof o.delay === 'object' && o.delay !== null) {
      const a = { percentile: 0.95, window: 256, minSamples: 20, ...adaptive, ...o.delay };
      finiteAtLeast('delay.initial', a.initial, 0);
      finiteAtLeast('delay.min', a.min, 0);
      if (typeof a.max !== 'number' || Number.isNaN(a.max) || a.max < a.min) {
        throw new RangeError(`delay.max must be >= delay.min (${a.min}), got ${String(a.max)}`);
      }
      tracker = new LatencyTracker(a.percentile, a.window, a.minSamples);
      adaptive.initial = a.initial;
      adaptive.min = a.min;
      adaptive.max = a.max;
    } else {
      throw new TypeError('delay must be a number of ms or an adaptive delay object');
    }
    this.budget = o.budget === false ? undefined : (o.budget ?? new RetryBudget({ clock: o.clock }));
    this.cfg = Object.freeze({
      fixedDelay,
      tracker,
      adaptive: Object.freeze(adaptive),
      maxAttempts: o.maxHedged + 1,
      budget: this.budget,
      shouldRetry: o.shouldRetry as ShouldRetry<unknown> | undefined,
      maxPushback: o.maxPushback,
      clock: o.clock,
      timers: o.timers,
    });
  }

  /** The delay the next call will wait before its first hedge, ms. */
  currentDelay(): number {
    const c = this.cfg;
    if (c.fixedDelay !== undefined) return c.fixedDelay;
    const p = c.tracker!.value();
    return p === undefined ? c.adaptive.initial : Math.min(c.adaptive.max, Math.max(c.adaptive.min, p));
  }

  execute<T>(fn: AttemptFn<T>, signal?: AbortSignal, deadline?: Deadline): Promise<T> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (deadline?.isExpired()) return Promise.reject(new DeadlineExceededError(0));
    this.cfg.budget?.deposit();
    return new Promise<T>((resolve, reject) => {
      new HedgedCall(this.cfg, this.currentDelay(), fn, signal, deadline, resolve, reject).start();
    });
  }
}

/** One-off hedged call; no budget unless you pass one, and an adaptive delay stays at `initial`. */
export function hedge<T>(
  fn: AttemptFn<T>,
  options: HedgePolicyOptions & { signal?: AbortSignal; deadline?: Deadline } = {},
): Promise<T> {
  const { signal, deadline, ...rest } = options;
  return new HedgePolicy({ budget: false, ...rest }).execute(fn, signal, deadline);
}

/** The state of one hedged call; every exit goes through finish(), which releases everything. */
class HedgedCall<T> {
  private readonly inFlight = new Set<AbortController>();
  private started = 0;
  private done = false;
  private timer: unknown;
  private deadlineTimer: unknown;
  private last: Outcome<unknown> | undefined;
  private budgetRefused = false;

  constructor(
    private readonly cfg: HedgeConfig,
    private readonly delay: number,
    private readonly fn: AttemptFn<T>,
    private readonly caller: AbortSignal | undefined,
    private readonly deadline: Deadline | undefined,
    private readonly resolve: (value: T) => void,
    private readonly reject: (error: unknown) => void,
  ) {}

  start(): void {
    this.caller?.addEventListener('abort', this.onCallerAbort, { once: true });
    if (this.deadline !== undefined) {
      const ms = this.deadline.remaining();
      if (ms <= MAX_TIMER_MS) this.deadlineTimer = this.cfg.timers.setTimeout(this.onDeadline, ms);
    }
    this.launch();
    this.schedule(this.delay);
  }

  private readonly onCallerAbort = (): void => this.finish(false, this.caller!.reason, this.caller!.reason);

  private readonly onDeadline = (): void => {
    this.deadlineTimer = undefined;
    const error = new DeadlineExceededError(this.started, this.last);
    this.finish(false, error, error);
  };

  private readonly onTimer = (): void => {
    this.timer = undefined;
    if (this.done || this.started >= this.cfg.maxAttempts) return;
    if (this.deadline?.isExpired()) return; // the deadline timer settles the call
    if (this.cfg.budget !== undefined && !this.cfg.budget.tryWithdraw()) {
      this.budgetRefused = true;
      if (this.inFlight.size === 0)
        this.finish(false, new RetryBudgetExhaustedError(this.started, this.last!));
      return; // no token, no hedge: wait for the attempts in flight
    }
    this.launch();
    this.schedule(this.delay);
  };

  private schedule(ms: number): void {
    if (this.done || this.started >= this.cfg.maxAttempts) return;
    if (this.timer !== undefined) this.cfg.timers.clearTimeout(this.timer);
    if (this.deadline !== undefined && ms >= this.deadline.remaining()) {
      this.timer = undefined; // a hedge that would start at or past the deadline is never sent
      if (this.inFlight.size === 0) this.finish(false, new DeadlineExceededError(this.started, this.last));
      return;
    }
    if (ms === 0) {
      this.timer = undefined;
      this.onTimer();
      return;
    }
    this.timer = this.cfg.timers.setTimeout(this.onTimer, ms);
  }

  private launch(): void {
    const controller = new AbortController();
    const attempt = ++this.started;
    this.inFlight.add(controller);
    const t0 = this.cfg.clock.now();
    let result: T | PromiseLike<T>;
    try {
      result = this.fn({ signal: controller.signal, attempt });
    } catch (error) {
      result = Promise.reject(error);
    }
    const onValue = (value: T): void => this.settle(controller, attempt, t0, { ok: true, value });
    const onError = (error: unknown): void => this.settle(controller, attempt, t0, { ok: false, error });
    if (isThenable(result)) result.then(onValue, onError);
    else queueMicrotask(() => onValue(result as T));
  }

  private settle(controller: AbortController, attempt: number, t0: number, outcome: Outcome<T>): void {
    this.inFlight.delete(controller);
    if (this.done) return;
    this.last = outcome;
    const decision =
      this.cfg.shouldRetry === undefined ? !outcome.ok : this.cfg.shouldRetry(outcome, attempt);
    if (decision === false) {
      if (outcome.ok) this.cfg.tracker?.record(this.cfg.clock.now() - t0);
      this.finish(outcome.ok, outcome.ok ? outcome.value : outcome.error);
      return;
    }
    if (this.started < this.cfg.maxAttempts && !this.budgetRefused) {
      // A failed attempt: hedge now (or after pushback) instead of waiting out the delay.
      this.schedule(typeof decision === 'number' ? Math.min(Math.max(0, decision), this.cfg.maxPushback) : 0);
      return;
    }
    if (this.inFlight.size > 0) return;
    this.finish(
      false,
      this.budgetRefused
        ? new RetryBudgetExhaustedError(this.started, outcome)
        : new RetriesExhaustedError(this.started, outcome),
    );
  }

  /** Settles the call; `abortReason` (default a HedgeLostError) aborts the attempts still running. */
  private finish(ok: boolean, valueOrError: unknown, abortReason?: unknown): void {
    if (this.done) return;
    this.done = true;
    const timers = this.cfg.timers;
    if (this.timer !== undefined) timers.clearTimeout(this.timer);
    if (this.deadlineTimer !== undefined) timers.clearTimeout(this.deadlineTimer);
    this.timer = this.deadlineTimer = undefined;
    this.caller?.removeEventListener('abort', this.onCallerAbort);
    if (this.inFlight.size > 0) {
      const reason = abortReason ?? new HedgeLostError();
      for (const c of this.inFlight) c.abort(reason);
    }
    this.inFlight.clear();
    if (ok) this.resolve(valueOrError as T);
    else this.reject(valueOrError);
  }
}
