import { type Clock, defaultClock, defaultRandom, type Random } from './clock.js';
import { CountWindow } from './count-window.js';
import { type OpenBackoffOptions, OpenDuration } from './open-duration.js';
import type { TripStrategy } from './trip-strategy.js';
import * as check from './validate.js';

export interface CircuitBreakerOptions {
  /** When the closed breaker opens (default `new CountWindow()`: 50% failures over the last 100 calls). One instance per breaker. */
  strategy?: TripStrategy;
  /** How long the breaker stays open before the next acquire may probe, in ms (default 30,000). */
  openDurationMs?: number;
  /** Back off the open duration on repeated openings (default: none, every opening lasts openDurationMs). */
  openBackoff?: OpenBackoffOptions;
  /** Probe calls half-open admits at once (default 1). */
  halfOpenMaxProbes?: number;
  /** Probe successes that close the breaker; any probe failure reopens it (default 1). */
  halfOpenSuccesses?: number;
  /** Which thrown errors count as failures (default: all). Others pass through uncounted, like `ignore()`. */
  isErrorFailure?: (error: unknown) => boolean;
  /** Which returned results count as failures, e.g. an HTTP 503 response (default: none). */
  isResultFailure?: (result: unknown) => boolean;
  /** Clock in ms (default `performance.now()`). */
  clock?: Clock;
  /** Random in [0, 1) for the open-duration jitter (default `Math.random`). */
  random?: Random;
}

export interface ResolvedCircuitBreakerOptions {
  readonly strategy: TripStrategy;
  readonly openDuration: OpenDuration;
  readonly halfOpenMaxProbes: number;
  readonly halfOpenSuccesses: number;
  readonly isErrorFailure: ((error: unknown) => boolean) | undefined;
  readonly isResultFailure: ((result: unknown) => boolean) | undefined;
  readonly clock: Clock;
  readonly random: Random;
}

export function resolveCircuitBreakerOptions(
  options: CircuitBreakerOptions = {},
): ResolvedCircuitBreakerOptions {
  check.object('options', options);
  const o = { openDurationMs: 30_000, halfOpenMaxProbes: 1, halfOpenSuccesses: 1, ...options };
  const strategy = o.strategy ?? new CountWindow();
  if (typeof strategy !== 'object' || strategy === null || typeof strategy.record !== 'function') {
    throw new TypeError('strategy must be a TripStrategy (an object with record/reset/snapshot/restore)');
  }
  return Object.freeze({
    strategy,
    openDuration: new OpenDuration(o.openDurationMs, o.openBackoff),
    halfOpenMaxProbes: check.positiveInteger('halfOpenMaxProbes', o.halfOpenMaxProbes),
    halfOpenSuccesses: check.positiveInteger('halfOpenSuccesses', o.halfOpenSuccesses),
    isErrorFailure:
      o.isErrorFailure === undefined
        ? undefined
        : check.func<(e: unknown) => boolean>('isErrorFailure', o.isErrorFailure),
    isResultFailure:
      o.isResultFailure === undefined
        ? undefined
        : check.func<(r: unknown) => boolean>('isResultFailure', o.isResultFailure),
    clock: o.clock === undefined ? defaultClock : check.clock<Clock>('clock', o.clock),
    random: o.random === undefined ? defaultRandom : check.func<Random>('random', o.random),
  });
}
