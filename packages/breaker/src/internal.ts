// Package-private plumbing between the breaker and its permits; not exported from index.ts.

/** Outcome codes (numbers, so the hot path compares small integers). */
export const SUCCESS = 0;
export const FAILURE = 1;
export const IGNORE = 2;
export type Outcome = typeof SUCCESS | typeof FAILURE | typeof IGNORE;

/** Key of the breaker method a permit calls when it settles. */
export const settle: unique symbol = Symbol('breakwater.breaker.settle');
/** Key of the permit method `execute` calls to settle with an error and a known end time. */
export const settleWith: unique symbol = Symbol('breakwater.permit.settleWith');
/** Key of the bulkhead method a permit calls on its first settle. */
export const release: unique symbol = Symbol('breakwater.bulkhead.release');
/** Keys of the breaker methods behind a closed permit's reusable `then` callbacks. */
export const afterValue: unique symbol = Symbol('breakwater.breaker.afterValue');
export const afterError: unique symbol = Symbol('breakwater.breaker.afterError');
