// Shared structural types. Clock/Random are repeated per package on purpose (packages depend on none
// of each other); anything with `now()` in ms and any `() => number` in [0, 1) fits.

/** Monotonic clock in milliseconds (default `performance.now()`). */
export interface Clock {
  now(): number;
}

/** Uniform random number in [0, 1) (default `Math.random`). */
export type Random = () => number;

/** The timer functions used for sleeps and deadline/hedge timers (default: the global ones). */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** What each attempt receives. */
export interface AttemptContext {
  /** Aborted when the caller aborts, the deadline passes, or (hedging) another attempt won. */
  readonly signal: AbortSignal;
  /** 1 for the first attempt, 2 for the first retry or hedge, … */
  readonly attempt: number;
}

/** The result of one attempt: it threw (or rejected), or it returned a value. */
export type Outcome<T> =
  | { readonly ok: false; readonly error: unknown }
  | { readonly ok: true; readonly value: T };

/**
 * What a classifier says about an outcome: `false` = do not retry (return or throw it as is),
 * `true` = retry after the backoff delay, a number ≥ 0 = retry after that many ms (server pushback,
 * capped by `maxPushback`), instead of the backoff delay.
 */
export type RetryDecision = boolean | number;

export type ShouldRetry<T = unknown> = (outcome: Outcome<T>, attempt: number) => RetryDecision;

export const defaultClock: Clock = performance;
export const defaultRandom: Random = Math.random;
export const defaultTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
