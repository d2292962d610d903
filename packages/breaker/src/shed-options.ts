import { type Clock, defaultClock } from './clock.js';
import * as check from './validate.js';

/** How a finished call is reported to the limiter: an RTT sample, a drop, or nothing. */
export type CallOutcome = 'success' | 'dropped' | 'ignore';

/** The part of a limiter the shedding wrappers use: `AdaptiveLimiter`, or a `Bulkhead` for a fixed limit. */
export interface SheddingLimiter {
  tryAcquire(): SheddingPermit | undefined;
}

/** A permit as the wrappers settle it; a limiter's `failure()` is a drop. */
export interface SheddingPermit {
  success(durationMs: number): void;
  failure(durationMs: number): void;
  ignore(): void;
}

export interface ShedOptions {
  /** What a shed call is told to wait before retrying, ms: `Retry-After` (rounded up to seconds) / `grpc-retry-pushback-ms` (default 1,000). */
  retryAfterMs?: number;
  /** Clock for RTTs, ms (default `performance.now()`); give the limiter's clock. */
  clock?: Clock;
}

export interface ResolvedShedOptions {
  readonly retryAfterMs: number;
  readonly clock: Clock;
}

export function resolveShedOptions(options: ShedOptions): ResolvedShedOptions {
  check.object('options', options);
  const o = { retryAfterMs: 1_000, ...options };
  return {
    retryAfterMs: check.nonNegativeDuration('retryAfterMs', o.retryAfterMs),
    clock: o.clock === undefined ? defaultClock : check.clock<Clock>('clock', o.clock),
  };
}

export function checkLimiter(limiter: unknown): SheddingLimiter {
  if (
    typeof limiter !== 'object' ||
    limiter === null ||
    typeof (limiter as { tryAcquire?: unknown }).tryAcquire !== 'function'
  ) {
    throw new TypeError('limiter must have a tryAcquire() method (an AdaptiveLimiter or a Bulkhead)');
  }
  return limiter as SheddingLimiter;
}

/** Settles a permit with an outcome and the RTT measured by the wrapper. */
export function settlePermit(permit: SheddingPermit, outcome: CallOutcome, rtt: number): void {
  if (outcome === 'success') permit.success(rtt);
  else if (outcome === 'dropped') permit.failure(rtt);
  else permit.ignore();
}
