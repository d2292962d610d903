import { setTimeout as delay } from 'node:timers/promises';
import type { Sleep } from './sleep.js';

/** Like realSleep, but the timer is unref'd: a refresh pending in the background never keeps the process alive. */
export const unrefSleep: Sleep = async (ms, signal) => {
  if (ms <= 0) {
    signal.throwIfAborted();
    return;
  }
  await delay(ms, undefined, { signal, ref: false });
};
