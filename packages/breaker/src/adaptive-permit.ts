import type { Permit } from './permit.js';

/**
 * An AdaptiveLimiter's permit. It is a `Permit` (so code written for a `Bulkhead` works with a
 * limiter unchanged) with one more outcome, `dropped()`. Settle it once; later settles are no-ops.
 */
export interface LimiterPermit extends Permit {
  /** The call completed: feeds its RTT to the algorithm (default: measured from admission with the limiter's clock). */
  success(rttMs?: number): void;
  /**
   * The call failed in a way that says the downstream is overloaded: same as `dropped()`,
   * so a client that reports timeouts and 5xx as `failure` lowers the limit.
   */
  failure(rttMs?: number): void;
  /** The call was dropped (timed out, shed, refused as overloaded): the algorithm backs off. */
  dropped(): void;
  /** Release without a sample (the caller gave up, or the outcome says nothing about load). */
  ignore(): void;
}
