// Cancellation helpers. Each removes every listener and timer it added, whichever way it settles.
import { setMaxListeners } from 'node:events';
import type { Timers } from './types.js';

/**
 * A signal that never aborts, shared so the no-signal fast path allocates no controller. Transports
 * such as fetch add listeners to whatever signal they get, so lift the 10-listener leak warning.
 */
export const NEVER_SIGNAL: AbortSignal = new AbortController().signal;
setMaxListeners(0, NEVER_SIGNAL);

/** Resolves after `ms`, or rejects with `signal.reason` as soon as the signal aborts. */
export function sleep(ms: number, signal: AbortSignal, timers: Timers): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      timers.clearTimeout(handle);
      reject(signal.reason);
    };
    const handle = timers.setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    if (signal !== NEVER_SIGNAL) signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Settles like `value`, or rejects with `signal.reason` as soon as the signal aborts, so a call
 * rejects promptly even when `fn` ignores its signal (its eventual rejection is absorbed).
 */
export function raceSignal<T>(value: T | PromiseLike<T>, signal: AbortSignal): Promise<T> {
  if (signal === NEVER_SIGNAL) return Promise.resolve(value);
  if (signal.aborted) {
    if (isThenable(value)) value.then(undefined, noop);
    return Promise.reject(signal.reason);
  }
  if (!isThenable(value)) return Promise.resolve(value);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    value.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

export function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as PromiseLike<T>).then === 'function'
  );
}

export function noop(): void {}

// setTimeout overflows above 2^31-1 ms and fires at once; longer deadlines get no timer.
export const MAX_TIMER_MS = 2_147_483_647;
