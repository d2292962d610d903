/** Milliseconds from an arbitrary origin (default `performance.now()`). */
export interface Clock {
  now(): number;
}

/** Uniform in [0, 1) (default `Math.random`). */
export type Random = () => number;

export const defaultClock: Clock = Object.freeze({ now: () => performance.now() });
