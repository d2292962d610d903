import type { ConcurrencyGuard } from '@breakwater/breaker';

/**
 * The error a guard that sheds instead of queueing (an AdaptiveLimiter, anything with a
 * `rejection()` method) gives for the call it just refused; undefined for guards that queue.
 */
export function rejectionOf(guard: ConcurrencyGuard): Error | undefined {
  const r = (guard as { rejection?: () => Error }).rejection;
  return typeof r === 'function' ? r.call(guard) : undefined;
}
