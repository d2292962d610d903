// One class per error, with a stable `code` and a cross-install brand: `instanceof` checks the
// brand and the code, not the prototype chain, so two copies of this package agree (as undici's
// UND_ERR_* errors do).

const brand = Symbol.for('breakwater.error');

export type CircuitRejectionState = 'open' | 'half-open' | 'isolated';

function branded(value: unknown, code: string): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[brand] === true &&
    (value as { code?: unknown }).code === code
  );
}

/** Thrown (or returned as a rejection) when the breaker refuses a call. */
export class BrokenCircuitError extends Error {
  static readonly code = 'BREAKWATER_CIRCUIT_OPEN';
  readonly code = 'BREAKWATER_CIRCUIT_OPEN';
  readonly [brand] = true;
  override readonly name = 'BrokenCircuitError';
  /** The state that refused the call. */
  readonly state: CircuitRejectionState;
  /** Clock time (ms, breaker's clock) at which a probe will be admitted; undefined when unknown (isolated, half-open). */
  readonly retryAt: number | undefined;
  /** ms from the rejection until `retryAt`; undefined when unknown. */
  readonly retryAfterMs: number | undefined;

  constructor(state: CircuitRejectionState, retryAt: number | undefined, now: number) {
    const retryAfterMs = retryAt === undefined ? undefined : Math.max(0, retryAt - now);
    super(
      state === 'isolated'
        ? 'Circuit is isolated: calls are refused until reset()'
        : state === 'open'
          ? `Circuit is open: calls are refused for another ${Math.ceil(retryAfterMs ?? 0)} ms`
          : 'Circuit is half-open and all probe slots are taken',
    );
    this.state = state;
    this.retryAt = retryAt;
    this.retryAfterMs = retryAfterMs;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return branded(value, 'BREAKWATER_CIRCUIT_OPEN');
  }
}

export type BulkheadRejectionReason = 'full' | 'queue-timeout' | 'closed';

/** Thrown when the bulkhead has no slot and no queue room, the wait timed out, or it was closed. */
export class BulkheadFullError extends Error {
  static readonly code = 'BREAKWATER_BULKHEAD_FULL';
  readonly code = 'BREAKWATER_BULKHEAD_FULL';
  readonly [brand] = true;
  override readonly name = 'BulkheadFullError';
  readonly reason: BulkheadRejectionReason;
  readonly maxConcurrent: number;
  readonly maxQueue: number;

  constructor(reason: BulkheadRejectionReason, maxConcurrent: number, maxQueue: number) {
    super(
      reason === 'full'
        ? `Bulkhead is full: ${maxConcurrent} in flight and ${maxQueue} queued`
        : reason === 'queue-timeout'
          ? 'Bulkhead queue wait timed out'
          : 'Bulkhead is closed',
    );
    this.reason = reason;
    this.maxConcurrent = maxConcurrent;
    this.maxQueue = maxQueue;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return branded(value, 'BREAKWATER_BULKHEAD_FULL');
  }
}

export function isBrokenCircuitError(value: unknown): value is BrokenCircuitError {
  return branded(value, 'BREAKWATER_CIRCUIT_OPEN');
}

export function isBulkheadFullError(value: unknown): value is BulkheadFullError {
  return branded(value, 'BREAKWATER_BULKHEAD_FULL');
}

export type LimitRejectionReason = 'limit' | 'closed';

/** Thrown by an AdaptiveLimiter's `acquire`/`execute` when the calls in flight have reached the current limit, or it was closed. */
export class LimitExceededError extends Error {
  static readonly code = 'BREAKWATER_LIMIT_EXCEEDED';
  readonly code = 'BREAKWATER_LIMIT_EXCEEDED';
  readonly [brand] = true;
  override readonly name = 'LimitExceededError';
  readonly reason: LimitRejectionReason;
  /** The limit when the call was refused. */
  readonly limit: number;
  /** Calls in flight when the call was refused. */
  readonly inFlight: number;

  constructor(reason: LimitRejectionReason, limit: number, inFlight: number) {
    super(
      reason === 'limit'
        ? `Concurrency limit reached: ${inFlight} in flight, limit ${limit}`
        : 'Concurrency limiter is closed',
    );
    this.reason = reason;
    this.limit = limit;
    this.inFlight = inFlight;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return branded(value, 'BREAKWATER_LIMIT_EXCEEDED');
  }
}

export function isLimitExceededError(value: unknown): value is LimitExceededError {
  return branded(value, 'BREAKWATER_LIMIT_EXCEEDED');
}
