/** Milliseconds from an arbitrary origin; injected so the timeline and the renderers can be tested. */
export interface Clock {
  now(): number;
}

export const performanceClock: Clock = { now: () => performance.now() };
