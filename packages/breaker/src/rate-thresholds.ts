import { positiveDuration, positiveInteger, rate } from './validate.js';

/** Options shared by the window strategies: when rates may be judged and which rates trip. */
export interface RateThresholdOptions {
  /** Failed calls / calls at or above which the breaker opens, in (0, 1] (default 0.5). */
  failureRateThreshold?: number;
  /** Slow calls / calls at or above which the breaker opens, in (0, 1] (default 1: every call slow). */
  slowCallRateThreshold?: number;
  /**
   * A call taking longer than this (ms) is slow, whether it succeeded or failed. Default Infinity:
   * slow-call tracking is off unless you set it, because timing every call costs two clock reads.
   */
  slowCallDurationMs?: number;
  /** Calls the window must hold before any rate can trip (default 100 for the count window, 20 for the time window). */
  minimumCalls?: number;
}

/** The validated thresholds, and the one rule both windows apply (as resilience4j: rates at or above). */
export class RateThresholds {
  readonly failureRateThreshold: number;
  readonly slowCallRateThreshold: number;
  readonly slowCallDurationMs: number;
  readonly minimumCalls: number;

  constructor(options: RateThresholdOptions, defaultMinimumCalls: number) {
    this.failureRateThreshold = rate('failureRateThreshold', options.failureRateThreshold ?? 0.5);
    this.slowCallRateThreshold = rate('slowCallRateThreshold', options.slowCallRateThreshold ?? 1);
    this.slowCallDurationMs = positiveDuration(
      'slowCallDurationMs',
      options.slowCallDurationMs ?? Number.POSITIVE_INFINITY,
      true,
    );
    this.minimumCalls = positiveInteger('minimumCalls', options.minimumCalls ?? defaultMinimumCalls);
  }

  isSlow(durationMs: number): boolean {
    return durationMs > this.slowCallDurationMs;
  }

  /** True when the window holds enough calls and either rate reaches its threshold. */
  trips(calls: number, failures: number, slow: number): boolean {
    if (calls < this.minimumCalls) return false;
    return failures >= this.failureRateThreshold * calls || slow >= this.slowCallRateThreshold * calls;
  }
}
