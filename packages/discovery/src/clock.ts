/** Monotonic milliseconds; the default is `performance.now()`. Structural, repeated per package. */
export type Clock = { now(): number };
/** A uniform random number in [0, 1); the default is `Math.random`. */
export type Random = () => number;

export const systemClock: Clock = { now: () => performance.now() };
export const systemRandom: Random = () => Math.random();
