import { setTimeout as delay } from 'node:timers/promises';

/** Waits ms, or rejects with the signal's reason when aborted. Injectable so tests need not wait. */
export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

export const realSleep: Sleep = async (ms, signal) => {
  if (ms <= 0) {
    signal.throwIfAborted();
    return;
  }
  await delay(ms, undefined, { signal });
};
