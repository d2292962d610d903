/** Injected time (ms): `performance.now()` by default. */
export interface Clock {
  now(): number;
}

export const defaultClock: Clock = Object.freeze({ now: () => performance.now() });
