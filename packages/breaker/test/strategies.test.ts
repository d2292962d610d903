import { ConsecutiveFailures, CountWindow, TimeWindow } from '@breakwater/breaker';
import { describe, expect, it } from 'vitest';

describe('ConsecutiveFailures', () => {
  it('trips on the threshold-th failure in a row; a success restarts the count', () => {
    const s = new ConsecutiveFailures({ threshold: 3 });
    expect([s.record(true), s.record(true), s.record(false), s.record(true), s.record(true)]).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(s.record(true)).toBe(true);
    expect(s.failures).toBe(3);
  });
});

describe('CountWindow', () => {
  it('judges rates only over the last size calls, once minimumCalls are in', () => {
    const s = new CountWindow({ size: 4, minimumCalls: 3, failureRateThreshold: 0.5 });
    expect(s.record(true, 1)).toBe(false); // 1 call < minimumCalls
    expect(s.record(false, 1)).toBe(false); // 2 calls
    expect(s.record(false, 1)).toBe(false); // 1/3 failed
    expect(s.record(true, 1)).toBe(true); // 2/4 failed
    s.reset();
    for (let i = 0; i < 4; i++) s.record(false, 1);
    expect(s.record(true, 1)).toBe(false); // 1/4: the oldest success left the window
    expect(s.record(true, 1)).toBe(true); // 2/4
    expect(s.counts).toEqual({ calls: 4, failures: 2, slow: 0 });
  });

  it('trips on the slow-call rate, counting slow failures and slow successes alike', () => {
    const s = new CountWindow({
      size: 2,
      slowCallDurationMs: 100,
      slowCallRateThreshold: 1,
      failureRateThreshold: 1,
    });
    expect(s.record(false, 101)).toBe(false);
    expect(s.record(false, 100)).toBe(false); // exactly the threshold is not slow
    expect(s.record(true, 500)).toBe(false); // 1 failure of 2, 1 slow of 2
    expect(s.record(false, 200)).toBe(true); // both slow
  });

  it('snapshots oldest first and restores into a smaller window keeping the newest calls', () => {
    const s = new CountWindow({ size: 3, minimumCalls: 1, slowCallDurationMs: 60_000 });
    for (const [f, d] of [
      [true, 1],
      [false, 1],
      [false, 70_000],
      [true, 1],
    ] as const)
      s.record(f, d);
    const snap = s.snapshot();
    expect(snap).toEqual({ type: 'count-window', size: 3, outcomes: [0, 2, 1] });
    const small = new CountWindow({ size: 2, minimumCalls: 1, slowCallDurationMs: 60_000 });
    small.restore(snap);
    expect(small.counts).toEqual({ calls: 2, failures: 1, slow: 1 });
    expect(() => small.restore({ type: 'count-window', outcomes: [7] })).toThrow(TypeError);
  });
});

describe('TimeWindow', () => {
  it('drops calls as their buckets slide out of the window', () => {
    const s = new TimeWindow({ windowMs: 100, buckets: 4, minimumCalls: 2, failureRateThreshold: 0.5 });
    expect(s.record(true, 1, 0)).toBe(false); // minimum calls not reached
    expect(s.counts(99)).toEqual({ calls: 1, failures: 1, slow: 0 });
    expect(s.counts(100)).toEqual({ calls: 0, failures: 0, slow: 0 }); // bucket [0,25) slid out
    expect(s.record(true, 1, 100)).toBe(false);
    expect(s.record(false, 1, 124)).toBe(true); // 1 of 2 failed
    expect(s.record(false, 1, 1_000_000)).toBe(false); // a long gap empties every bucket
    expect(s.counts(1_000_000).calls).toBe(1);
  });

  it('restores bucket ages relative to the importing clock', () => {
    const s = new TimeWindow({ windowMs: 100, buckets: 4, minimumCalls: 1, failureRateThreshold: 1 });
    s.record(true, 1, 10);
    s.record(false, 1, 60);
    const snap = s.snapshot(60);
    expect(snap).toEqual({
      type: 'time-window',
      bucketMs: 25,
      entries: [
        [0, 1, 0, 0],
        [2, 1, 1, 0],
      ],
    });
    const other = new TimeWindow({ windowMs: 100, buckets: 4, minimumCalls: 1, failureRateThreshold: 1 });
    other.restore(snap, 5060);
    expect(other.counts(5060)).toEqual({ calls: 2, failures: 1, slow: 0 });
    expect(other.counts(5100)).toEqual({ calls: 1, failures: 0, slow: 0 }); // the older bucket aged out
    expect(() => other.restore({ type: 'time-window', entries: [[0, 1, 2, 0]] }, 0)).toThrow(TypeError);
    expect(() => other.restore({ type: 'count-window' }, 0)).toThrow('must be of type "time-window"');
  });
});
