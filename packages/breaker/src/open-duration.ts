import type { Random } from './clock.js';
import { atLeast, fraction, object, positiveDuration } from './validate.js';

export interface OpenBackoffOptions {
  /** Each further opening without a successful close multiplies the open duration by this (default 2). */
  multiplier?: number;
  /** Upper bound of the open duration in ms (default 300,000, Envoy's ejection cap). */
  maxMs?: number;
  /** Fraction of the duration taken off at random: the result is in [d·(1−jitter), d] (default 0). */
  jitter?: number;
}

/**
 * How long the breaker stays open after its n-th opening in a row (n = 0 for the first):
 * `min(maxMs, baseMs · multiplier^n)`, less a random share of up to `jitter` of it, so it never
 * exceeds the cap and breakers that opened together do not probe together.
 */
export class OpenDuration {
  readonly baseMs: number;
  readonly multiplier: number;
  readonly maxMs: number;
  readonly jitter: number;

  constructor(baseMs: number, backoff: OpenBackoffOptions | undefined) {
    this.baseMs = positiveDuration('openDurationMs', baseMs);
    if (backoff === undefined) {
      this.multiplier = 1;
      this.maxMs = this.baseMs;
      this.jitter = 0;
      return;
    }
    object('openBackoff', backoff);
    this.multiplier = atLeast('openBackoff.multiplier', backoff.multiplier ?? 2, 1);
    this.maxMs = positiveDuration('openBackoff.maxMs', backoff.maxMs ?? Math.max(300_000, this.baseMs));
    if (this.maxMs < this.baseMs) {
      throw new RangeError(`openBackoff.maxMs must be >= openDurationMs (${this.baseMs}), got ${this.maxMs}`);
    }
    this.jitter = fraction('openBackoff.jitter', backoff.jitter ?? 0);
  }

  /** Duration of the opening number `openings` (0-based), drawing from `random` only when jittered. */
  durationMs(openings: number, random: Random): number {
    const d = Math.min(this.maxMs, this.baseMs * this.multiplier ** openings);
    return this.jitter === 0 ? d : d * (1 - this.jitter * random());
  }
}
