import type { Random } from './clock.js';

export interface BackoffOptions {
  /** First delay ceiling. Default 100 ms. */
  initialMs?: number;
  /** Largest delay. Default 30,000 ms. */
  maxMs?: number;
  /** Growth per failed attempt. Default 2. */
  multiplier?: number;
}

export const BACKOFF_DEFAULTS: Required<BackoffOptions> = Object.freeze({
  initialMs: 100,
  maxMs: 30_000,
  multiplier: 2,
});

export function validateBackoff(options: BackoffOptions | undefined): Required<BackoffOptions> {
  const b = { ...BACKOFF_DEFAULTS, ...options };
  if (!(Number.isFinite(b.initialMs) && b.initialMs >= 0)) {
    throw new RangeError(`backoff.initialMs must be a number >= 0, got ${b.initialMs}`);
  }
  if (!(Number.isFinite(b.maxMs) && b.maxMs >= b.initialMs)) {
    throw new RangeError(`backoff.maxMs must be a number >= backoff.initialMs, got ${b.maxMs}`);
  }
  if (!(Number.isFinite(b.multiplier) && b.multiplier >= 1)) {
    throw new RangeError(`backoff.multiplier must be a number >= 1, got ${b.multiplier}`);
  }
  return Object.freeze(b);
}

/** Exponential backoff with full jitter (AWS): rand(0, min(max, initial·multiplier^(attempt-1))). */
export function backoffDelay(b: Required<BackoffOptions>, attempt: number, random: Random): number {
  const ceiling = Math.min(b.maxMs, b.initialMs * b.multiplier ** Math.max(0, attempt - 1));
  return random() * ceiling;
}
