import type { Executable } from './execute-context.js';
import type { Permit } from './permit.js';

/**
 * What `Bulkhead` and `AdaptiveLimiter` have in common: code that takes a ConcurrencyGuard (the
 * client's service bulkhead, say) accepts either. On a limiter's permit `failure()` counts as a
 * drop (the limit backs off) and `ignore()` releases without a sample, so a caller that settles
 * permits the bulkhead way feeds a limiter correctly without knowing which it holds.
 */
export interface ConcurrencyGuard {
  tryAcquire(): Permit | undefined;
  acquire(signal?: AbortSignal): Promise<Permit>;
  execute<T>(fn: Executable<T>, signal?: AbortSignal): Promise<T>;
  /** Gauge: permits out and not yet settled. */
  readonly inFlight: number;
  /** Gauge: callers waiting (always 0 for a limiter). */
  readonly queued: number;
  readonly closed: boolean;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}
