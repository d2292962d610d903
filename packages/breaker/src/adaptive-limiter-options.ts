import { type Clock, defaultClock } from './clock.js';
import type { LimitAlgorithm } from './limit-algorithm.js';
import { Gradient2Limit } from './limit-gradient2.js';
import * as check from './validate.js';

export interface AdaptiveLimiterOptions {
  /** The algorithm that sets the limit; one instance per limiter (default `new Gradient2Limit()`). */
  limit?: LimitAlgorithm;
  /** Which errors thrown by `execute`'s function are drops (default: none; other errors are ignored, not sampled). */
  isErrorDrop?: (error: unknown) => boolean;
  /** Clock in ms (default `performance.now()`). */
  clock?: Clock;
}

export interface ResolvedAdaptiveLimiterOptions {
  readonly limit: LimitAlgorithm;
  readonly isErrorDrop: ((error: unknown) => boolean) | undefined;
  readonly clock: Clock;
}

export function resolveAdaptiveLimiterOptions(
  options: AdaptiveLimiterOptions = {},
): ResolvedAdaptiveLimiterOptions {
  check.object('options', options);
  const limit = options.limit ?? new Gradient2Limit();
  if (
    typeof limit !== 'object' ||
    limit === null ||
    typeof limit.onSample !== 'function' ||
    typeof limit.limit !== 'number'
  ) {
    throw new TypeError('limit must be a LimitAlgorithm (an object with a numeric limit and onSample())');
  }
  return Object.freeze({
    limit,
    isErrorDrop:
      options.isErrorDrop === undefined
        ? undefined
        : check.func<(e: unknown) => boolean>('isErrorDrop', options.isErrorDrop),
    clock: options.clock === undefined ? defaultClock : check.clock<Clock>('clock', options.clock),
  });
}
