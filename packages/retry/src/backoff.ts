// Backoff generators. A `Backoff` is an immutable description; `start()` returns a fresh iterator
// for one call's retries, so one Backoff is safely shared by concurrent calls. Formulas from the
// AWS Architecture Blog, "Exponential Backoff And Jitter" (n = retry index from 0):
//   none:         e = min(max, initial · multiplierⁿ)
//   full:         rand(0, e)
//   equal:        e/2 + rand(0, e/2)
//   decorrelated: min(max, rand(initial, prev · multiplier)), prev₀ = initial (AWS uses × 3)
import { defaultRandom, type Random } from './types.js';
import { finiteAtLeast, fn } from './validate.js';

/** The delays of one call's retries. */
export interface BackoffIterator {
  /** Delay in ms before the next retry. */
  next(): number;
}

/** A stateless backoff strategy: each `start()` begins an independent sequence. */
export interface Backoff {
  start(): BackoffIterator;
}

export type Jitter = 'none' | 'full' | 'equal' | 'decorrelated';

export interface ExponentialBackoffOptions {
  /** First delay (and decorrelated jitter's lower bound), ms. Default 100. */
  initial?: number;
  /** Cap on any delay, ms. Default 10 000. */
  max?: number;
  /** Growth factor. Default 2, or 3 with `jitter: 'decorrelated'` (as in the AWS post). */
  multiplier?: number;
  /** Default 'full' (AWS's recommendation: least total work for contending clients). */
  jitter?: Jitter;
  /** Uniform [0, 1). Default Math.random. */
  random?: Random;
}

const JITTERS: readonly Jitter[] = ['none', 'full', 'equal', 'decorrelated'];

class ExponentialIterator implements BackoffIterator {
  private current: number;

  constructor(
    private readonly initial: number,
    private readonly max: number,
    private readonly multiplier: number,
    private readonly jitter: Jitter,
    private readonly random: Random,
  ) {
    this.current = Math.min(initial, max);
  }

  next(): number {
    const e = this.current;
    switch (this.jitter) {
      case 'none':
        this.current = Math.min(this.max, e * this.multiplier);
        return e;
      case 'full':
        this.current = Math.min(this.max, e * this.multiplier);
        return this.random() * e;
      case 'equal':
        this.current = Math.min(this.max, e * this.multiplier);
        return e / 2 + (this.random() * e) / 2;
      case 'decorrelated': {
        // `current` holds the previous delay here; the first is drawn from [initial, initial·m).
        const lo = Math.min(this.initial, this.max);
        const hi = e * this.multiplier;
        const d = Math.min(this.max, lo + this.random() * (hi - lo));
        this.current = d;
        return d;
      }
    }
  }
}

/** Capped exponential backoff with optional jitter. */
export function exponential(options: ExponentialBackoffOptions = {}): Backoff {
  const jitter = options.jitter ?? 'full';
  if (!JITTERS.includes(jitter)) {
    throw new RangeError(`jitter must be one of ${JITTERS.join(', ')}, got ${JSON.stringify(jitter)}`);
  }
  const o = {
    initial: 100,
    max: 10_000,
    multiplier: jitter === 'decorrelated' ? 3 : 2,
    random: defaultRandom,
    ...options,
    jitter,
  };
  finiteAtLeast('initial', o.initial, 0);
  finiteAtLeast('max', o.max, 0);
  if (o.max < o.initial) throw new RangeError(`max must be >= initial (${o.initial}), got ${o.max}`);
  finiteAtLeast('multiplier', o.multiplier, 1);
  if (jitter === 'decorrelated' && o.initial <= 0) {
    throw new RangeError(`initial must be > 0 with decorrelated jitter, got ${o.initial}`);
  }
  fn('random', o.random);
  const { initial, max, multiplier, random } = o;
  return Object.freeze({ start: () => new ExponentialIterator(initial, max, multiplier, jitter, random) });
}

/** The same delay before every retry. */
export function constant(delay: number): Backoff {
  finiteAtLeast('delay', delay, 0);
  // A constant iterator has no state, so one instance serves every call.
  const it: BackoffIterator = Object.freeze({ next: () => delay });
  return Object.freeze({ start: () => it });
}

export interface CustomBackoffOptions {
  /** Cap applied to whatever the function returns. Default Infinity. */
  max?: number;
}

/**
 * A user-defined backoff from a pure function of the retry index (0-based) and the previous delay
 * (undefined for the first). Returned values are clamped to [0, max]; NaN becomes 0.
 */
export function custom(
  delay: (retry: number, previous: number | undefined) => number,
  options: CustomBackoffOptions = {},
): Backoff {
  fn('delay', delay);
  const max = options.max ?? Number.POSITIVE_INFINITY;
  if (typeof max !== 'number' || Number.isNaN(max) || max < 0) {
    throw new RangeError(`max must be a number >= 0, got ${String(max)}`);
  }
  return Object.freeze({
    start(): BackoffIterator {
      let retry = 0;
      let previous: number | undefined;
      return {
        next(): number {
          const raw = delay(retry++, previous);
          const d = Number.isNaN(raw) ? 0 : Math.min(max, Math.max(0, raw));
          previous = d;
          return d;
        },
      };
    },
  });
}

/** No delay between retries. */
export const immediate: Backoff = constant(0);

export function assertBackoff(name: string, value: unknown): void {
  if (typeof value !== 'object' || value === null || typeof (value as Backoff).start !== 'function') {
    throw new TypeError(`${name} must be a Backoff (an object with start())`);
  }
}
