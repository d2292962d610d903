import * as check from './validate.js';

/**
 * A concurrency-limit algorithm: a small pure state machine fed one sample per finished call
 * (as Netflix concurrency-limits' `Limit.onSample`). It starts no timers and reads no clock of
 * its own; the limiter supplies the times.
 */
export interface LimitAlgorithm {
  /** A short name for metrics and logs, e.g. `'aimd'`. */
  readonly type: string;
  /** The current limit: an integer in [minLimit, maxLimit]. */
  readonly limit: number;
  /**
   * Records one finished call.
   * @param startTime when the call was admitted (limiter clock, ms)
   * @param rtt how long it took, ms; samples that are not finite and > 0 are ignored
   * @param inflight calls in flight when it was admitted, itself included
   * @param didDrop the call was dropped (timed out, shed or refused downstream)
   */
  onSample(startTime: number, rtt: number, inflight: number, didDrop: boolean): void;
}

/** Bounds shared by every algorithm, checked at construction. */
export interface LimitBounds {
  readonly initialLimit: number;
  readonly minLimit: number;
  readonly maxLimit: number;
}

/** `Math.max(1, floor(log10(n)))`: the step Netflix's Vegas defaults derive from the limit. */
export function log10Root(n: number): number {
  return n >= 10 ? Math.floor(Math.log10(n)) : 1;
}

/** Validates `{ initialLimit, minLimit, maxLimit }`: positive integers with min <= initial <= max. */
export function checkBounds(o: { initialLimit: unknown; minLimit: unknown; maxLimit: unknown }): LimitBounds {
  const minLimit = check.positiveInteger('minLimit', o.minLimit);
  const maxLimit = check.positiveInteger('maxLimit', o.maxLimit);
  const initialLimit = check.positiveInteger('initialLimit', o.initialLimit);
  if (maxLimit < minLimit) {
    throw new RangeError(`maxLimit must be >= minLimit (${minLimit}), got ${maxLimit}`);
  }
  if (initialLimit < minLimit || initialLimit > maxLimit) {
    throw new RangeError(
      `initialLimit must be between minLimit (${minLimit}) and maxLimit (${maxLimit}), got ${initialLimit}`,
    );
  }
  return { initialLimit, minLimit, maxLimit };
}

/** RTT samples the algorithms can use: finite and > 0 (a zero would divide by zero in Vegas/Gradient2). */
export function usableRtt(rtt: number): boolean {
  return rtt > 0 && rtt < Number.POSITIVE_INFINITY;
}
