import { type Clock, defaultClock } from './clock.js';
import * as check from './validate.js';

/** The timer functions the bulkhead uses for queue timeouts; injected so tests drive them. */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface BulkheadOptions {
  /** Calls allowed in flight at once (required, a positive integer). */
  maxConcurrent: number;
  /** Calls allowed to wait for a slot; 0 = no queue, reject at once (default 0). */
  maxQueue?: number;
  /** ms a call may wait in the queue before it is rejected (default Infinity). */
  queueTimeoutMs?: number;
  /** Clock in ms (default `performance.now()`). */
  clock?: Clock;
  /** Timers (default the global setTimeout/clearTimeout). */
  timers?: Timers;
}

export interface ResolvedBulkheadOptions {
  readonly maxConcurrent: number;
  readonly maxQueue: number;
  readonly queueTimeoutMs: number;
  readonly clock: Clock;
  readonly timers: Timers;
}

const defaultTimers: Timers = Object.freeze({
  setTimeout: (callback: () => void, ms: number): unknown => setTimeout(callback, ms),
  clearTimeout: (handle: unknown): void => clearTimeout(handle as NodeJS.Timeout),
});

export function resolveBulkheadOptions(options: BulkheadOptions): ResolvedBulkheadOptions {
  check.object('options', options);
  const o = { maxQueue: 0, queueTimeoutMs: Number.POSITIVE_INFINITY, ...options };
  let timers = defaultTimers;
  if (o.timers !== undefined) {
    check.object('timers', o.timers);
    check.func('timers.setTimeout', o.timers.setTimeout);
    check.func('timers.clearTimeout', o.timers.clearTimeout);
    timers = o.timers;
  }
  return Object.freeze({
    maxConcurrent: check.positiveInteger('maxConcurrent', o.maxConcurrent),
    maxQueue: check.nonNegativeInteger('maxQueue', o.maxQueue),
    queueTimeoutMs: check.positiveDuration('queueTimeoutMs', o.queueTimeoutMs, true),
    clock: o.clock === undefined ? defaultClock : check.clock<Clock>('clock', o.clock),
    timers,
  });
}
