import { Bulkhead, CircuitBreaker, ConsecutiveFailures, CountWindow, TimeWindow } from '@breakwater/breaker';
import { describe, expect, it } from 'vitest';

type Ctor = new (options: never) => unknown;

/** [constructor, options, error class, message fragment naming the option]. */
const invalid: [string, Ctor, unknown, typeof RangeError | typeof TypeError, string][] = [
  [
    'threshold 0',
    ConsecutiveFailures,
    { threshold: 0 },
    RangeError,
    'threshold must be a positive integer, got 0',
  ],
  [
    'threshold 1.5',
    ConsecutiveFailures,
    { threshold: 1.5 },
    RangeError,
    'threshold must be a positive integer, got 1.5',
  ],
  [
    'threshold "5"',
    ConsecutiveFailures,
    { threshold: '5' },
    TypeError,
    'threshold must be a positive integer, got "5"',
  ],
  ['size 0', CountWindow, { size: 0 }, RangeError, 'size must be a positive integer, got 0'],
  [
    'minimumCalls > size',
    CountWindow,
    { size: 10, minimumCalls: 11 },
    RangeError,
    'minimumCalls must not exceed size (10), got 11',
  ],
  [
    'minimumCalls 0',
    CountWindow,
    { minimumCalls: 0 },
    RangeError,
    'minimumCalls must be a positive integer, got 0',
  ],
  [
    'failureRateThreshold 0',
    CountWindow,
    { failureRateThreshold: 0 },
    RangeError,
    'failureRateThreshold must be a number in (0, 1], got 0',
  ],
  [
    'failureRateThreshold 50',
    TimeWindow,
    { failureRateThreshold: 50 },
    RangeError,
    'failureRateThreshold must be a number in (0, 1], got 50',
  ],
  [
    'slowCallRateThreshold NaN',
    CountWindow,
    { slowCallRateThreshold: Number.NaN },
    RangeError,
    'slowCallRateThreshold must be a number in (0, 1], got NaN',
  ],
  [
    'slowCallDurationMs -1',
    TimeWindow,
    { slowCallDurationMs: -1 },
    RangeError,
    'slowCallDurationMs must be a positive number of ms or Infinity, got -1',
  ],
  [
    'windowMs 0',
    TimeWindow,
    { windowMs: 0 },
    RangeError,
    'windowMs must be a positive finite number of ms, got 0',
  ],
  [
    'windowMs Infinity',
    TimeWindow,
    { windowMs: Number.POSITIVE_INFINITY },
    RangeError,
    'windowMs must be a positive finite number of ms, got Infinity',
  ],
  ['buckets 0', TimeWindow, { buckets: 0 }, RangeError, 'buckets must be a positive integer, got 0'],
  ['buckets 1001', TimeWindow, { buckets: 1001 }, RangeError, 'buckets must be at most 1000, got 1001'],
  [
    'openDurationMs 0',
    CircuitBreaker,
    { openDurationMs: 0 },
    RangeError,
    'openDurationMs must be a positive finite number of ms, got 0',
  ],
  [
    'openDurationMs string',
    CircuitBreaker,
    { openDurationMs: '1s' },
    TypeError,
    'openDurationMs must be a positive number of ms, got "1s"',
  ],
  [
    'openBackoff null',
    CircuitBreaker,
    { openBackoff: null },
    TypeError,
    'openBackoff must be an object, got null',
  ],
  [
    'openBackoff.multiplier 0.5',
    CircuitBreaker,
    { openBackoff: { multiplier: 0.5 } },
    RangeError,
    'openBackoff.multiplier must be a finite number >= 1, got 0.5',
  ],
  [
    'openBackoff.maxMs < base',
    CircuitBreaker,
    { openDurationMs: 1000, openBackoff: { maxMs: 10 } },
    RangeError,
    'openBackoff.maxMs must be >= openDurationMs (1000), got 10',
  ],
  [
    'openBackoff.jitter 2',
    CircuitBreaker,
    { openBackoff: { jitter: 2 } },
    RangeError,
    'openBackoff.jitter must be a number in [0, 1], got 2',
  ],
  [
    'halfOpenMaxProbes 0',
    CircuitBreaker,
    { halfOpenMaxProbes: 0 },
    RangeError,
    'halfOpenMaxProbes must be a positive integer, got 0',
  ],
  [
    'halfOpenSuccesses -1',
    CircuitBreaker,
    { halfOpenSuccesses: -1 },
    RangeError,
    'halfOpenSuccesses must be a positive integer, got -1',
  ],
  [
    'isErrorFailure',
    CircuitBreaker,
    { isErrorFailure: true },
    TypeError,
    'isErrorFailure must be a function, got true',
  ],
  [
    'isResultFailure',
    CircuitBreaker,
    { isResultFailure: 'x' },
    TypeError,
    'isResultFailure must be a function, got "x"',
  ],
  ['clock', CircuitBreaker, { clock: Date }, TypeError, 'clock must be an object with a now() method'],
  ['random', CircuitBreaker, { random: 0.5 }, TypeError, 'random must be a function, got 0.5'],
  ['strategy', CircuitBreaker, { strategy: {} }, TypeError, 'strategy must be a TripStrategy'],
  ['breaker options null', CircuitBreaker, null, TypeError, 'options must be an object, got null'],
  [
    'maxConcurrent missing',
    Bulkhead,
    {},
    TypeError,
    'maxConcurrent must be a positive integer, got undefined',
  ],
  [
    'maxConcurrent -1',
    Bulkhead,
    { maxConcurrent: -1 },
    RangeError,
    'maxConcurrent must be a positive integer, got -1',
  ],
  [
    'maxQueue -1',
    Bulkhead,
    { maxConcurrent: 1, maxQueue: -1 },
    RangeError,
    'maxQueue must be a non-negative integer, got -1',
  ],
  [
    'maxQueue 1.5',
    Bulkhead,
    { maxConcurrent: 1, maxQueue: 1.5 },
    RangeError,
    'maxQueue must be a non-negative integer, got 1.5',
  ],
  [
    'queueTimeoutMs 0',
    Bulkhead,
    { maxConcurrent: 1, queueTimeoutMs: 0 },
    RangeError,
    'queueTimeoutMs must be a positive number of ms or Infinity, got 0',
  ],
  [
    'bulkhead clock',
    Bulkhead,
    { maxConcurrent: 1, clock: {} },
    TypeError,
    'clock must be an object with a now() method',
  ],
  [
    'timers',
    Bulkhead,
    { maxConcurrent: 1, timers: { setTimeout } },
    TypeError,
    'timers.clearTimeout must be a function',
  ],
];

describe('option validation', () => {
  it.each(invalid)('rejects %s naming the option', (_name, ctor, options, errorClass, message) => {
    const make = (): unknown => new ctor(options as never);
    expect(make).toThrow(errorClass);
    expect(make).toThrow(message);
  });

  it('accepts the defaults and documents them on the instances', () => {
    expect(new ConsecutiveFailures().threshold).toBe(5);
    const count = new CountWindow();
    expect([count.size, count.thresholds.minimumCalls, count.thresholds.failureRateThreshold]).toEqual([
      100, 100, 0.5,
    ]);
    expect([count.thresholds.slowCallRateThreshold, count.thresholds.slowCallDurationMs]).toEqual([
      1,
      Number.POSITIVE_INFINITY,
    ]);
    // Slow-call tracking is off by default, so execute() does not time calls.
    expect([count.usesDuration, new CountWindow({ slowCallDurationMs: 500 }).usesDuration]).toEqual([
      false,
      true,
    ]);
    const time = new TimeWindow();
    expect([time.windowMs, time.buckets, time.bucketMs, time.thresholds.minimumCalls]).toEqual([
      60_000, 10, 6000, 20,
    ]);
    expect(new CircuitBreaker().strategy).toBeInstanceOf(CountWindow);
    const bulkhead = new Bulkhead({ maxConcurrent: 2 });
    expect([bulkhead.maxConcurrent, bulkhead.maxQueue]).toEqual([2, 0]);
  });

  it('never mutates the options object', () => {
    const backoff = Object.freeze({ multiplier: 3 });
    const options = Object.freeze({ openDurationMs: 10, openBackoff: backoff, halfOpenMaxProbes: 2 });
    expect(() => new CircuitBreaker(options)).not.toThrow();
    const bulkheadOptions = Object.freeze({ maxConcurrent: 1 });
    expect(() => new Bulkhead(bulkheadOptions)).not.toThrow();
    expect(bulkheadOptions).toEqual({ maxConcurrent: 1 });
  });
});
