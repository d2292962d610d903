// One class per error, with a stable `code` and a cross-install brand: `instanceof` checks the
// brand and the code, not the prototype chain, so two copies of this package agree (as undici's
// UND_ERR_* errors do). Give-up errors carry the attempts made and the last outcome (as `cause`).
import type { Outcome } from './types.js';

const brand = Symbol.for('breakwater.error');

function branded(value: unknown, code: string): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[brand] === true &&
    (value as { code?: unknown }).code === code
  );
}

function causeOf(outcome: Outcome<unknown> | undefined): unknown {
  if (outcome === undefined) return undefined;
  return outcome.ok ? outcome.value : outcome.error;
}

/** The retry budget refused a retry (or a hedge): the service is failing too much to retry safely. */
export class RetryBudgetExhaustedError extends Error {
  static readonly code = 'BREAKWATER_RETRY_BUDGET_EXHAUSTED';
  readonly code = 'BREAKWATER_RETRY_BUDGET_EXHAUSTED';
  readonly [brand] = true;
  override readonly name = 'RetryBudgetExhaustedError';
  /** Attempts made before giving up. */
  readonly attempts: number;
  /** The last attempt's outcome; `cause` is its error or value. */
  readonly outcome: Outcome<unknown>;

  constructor(attempts: number, outcome: Outcome<unknown>) {
    super(`Retry budget exhausted after ${attempts} attempt(s)`, { cause: causeOf(outcome) });
    this.attempts = attempts;
    this.outcome = outcome;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return branded(value, 'BREAKWATER_RETRY_BUDGET_EXHAUSTED');
  }
}

/** Every allowed attempt failed with a retryable outcome (`maxAttempts` reached, or all hedges failed). */
export class RetriesExhaustedError extends Error {
  static readonly code = 'BREAKWATER_RETRIES_EXHAUSTED';
  readonly code = 'BREAKWATER_RETRIES_EXHAUSTED';
  readonly [brand] = true;
  override readonly name = 'RetriesExhaustedError';
  readonly attempts: number;
  readonly outcome: Outcome<unknown>;

  constructor(attempts: number, outcome: Outcome<unknown>) {
    super(`Gave up after ${attempts} attempt(s)`, { cause: causeOf(outcome) });
    this.attempts = attempts;
    this.outcome = outcome;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return branded(value, 'BREAKWATER_RETRIES_EXHAUSTED');
  }
}

/**
 * The deadline passed during an attempt, or the next attempt would start at or after it (retry never
 * sleeps past a deadline: it gives up as soon as it knows).
 */
export class DeadlineExceededError extends Error {
  static readonly code = 'BREAKWATER_DEADLINE_EXCEEDED';
  readonly code = 'BREAKWATER_DEADLINE_EXCEEDED';
  readonly [brand] = true;
  override readonly name = 'DeadlineExceededError';
  readonly attempts: number;
  /** The last completed attempt's outcome, if any completed. */
  readonly outcome: Outcome<unknown> | undefined;

  constructor(attempts: number, outcome?: Outcome<unknown>) {
    super(`Deadline exceeded after ${attempts} attempt(s)`, { cause: causeOf(outcome) });
    this.attempts = attempts;
    this.outcome = outcome;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return branded(value, 'BREAKWATER_DEADLINE_EXCEEDED');
  }
}

/** The reason a losing hedged attempt's signal is aborted with. */
export class HedgeLostError extends Error {
  static readonly code = 'BREAKWATER_HEDGE_LOST';
  readonly code = 'BREAKWATER_HEDGE_LOST';
  readonly [brand] = true;
  override readonly name = 'HedgeLostError';

  constructor() {
    super('Another hedged attempt answered first');
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return branded(value, 'BREAKWATER_HEDGE_LOST');
  }
}

export function isRetryBudgetExhaustedError(value: unknown): value is RetryBudgetExhaustedError {
  return branded(value, 'BREAKWATER_RETRY_BUDGET_EXHAUSTED');
}

export function isRetriesExhaustedError(value: unknown): value is RetriesExhaustedError {
  return branded(value, 'BREAKWATER_RETRIES_EXHAUSTED');
}

export function isDeadlineExceededError(value: unknown): value is DeadlineExceededError {
  return branded(value, 'BREAKWATER_DEADLINE_EXCEEDED');
}

export function isHedgeLostError(value: unknown): value is HedgeLostError {
  return branded(value, 'BREAKWATER_HEDGE_LOST');
}
