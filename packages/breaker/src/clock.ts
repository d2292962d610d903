/** A monotonic millisecond clock; injected so every decision can be replayed in a test. */
export interface Clock {
  now(): number;
}

/** A uniform random number in [0, 1); injected for the same reason. */
export type Random = () => number;

export const defaultClock: Clock = Object.freeze({ now: () => performance.now() });

export const defaultRandom: Random = Math.random;
