import { Bulkhead, BulkheadFullError, type ConcurrencyGuard } from '@breakwater/breaker';

/**
 * Why a guard that just refused `tryAcquire()` refuses the call outright, or undefined when the
 * call may wait for a slot (a `Bulkhead` with a queue). A queue-less or closed `Bulkhead` is full;
 * a guard that sheds instead of queueing (an `AdaptiveLimiter`, anything with a `rejection()`
 * method) gives its own error. Shared by the HTTP and gRPC calls.
 */
export function immediateRefusal(guard: ConcurrencyGuard): Error | undefined {
  if (guard instanceof Bulkhead) {
    if (guard.maxQueue > 0 && !guard.closed) return undefined;
    return new BulkheadFullError(guard.closed ? 'closed' : 'full', guard.maxConcurrent, guard.maxQueue);
  }
  const r = (guard as { rejection?: () => Error }).rejection;
  return typeof r === 'function' ? r.call(guard) : undefined;
}
