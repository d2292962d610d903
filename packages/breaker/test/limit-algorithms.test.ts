import {
  AimdLimit,
  FixedLimit,
  Gradient2Limit,
  type LimitAlgorithm,
  VegasLimit,
  WindowedLimit,
} from '@breakwater/breaker';
import { describe, expect, it } from 'vitest';

describe('AimdLimit', () => {
  it('has Netflix defaults: initial 20, min 20, max 200, backoff 0.9, timeout 5 s', () => {
    const l = new AimdLimit();
    expect([l.limit, l.minLimit, l.maxLimit, l.backoffRatio, l.timeoutMs]).toEqual([20, 20, 200, 0.9, 5000]);
    expect(l.type).toBe('aimd');
  });

  it('adds 1 on a success while at least half the limit is in flight, and not otherwise', () => {
    const l = new AimdLimit({ initialLimit: 10, minLimit: 1 });
    l.onSample(0, 10, 5, false);
    expect(l.limit).toBe(11);
    l.onSample(0, 10, 5, false); // 5 · 2 < 11: app-limited, no growth
    expect(l.limit).toBe(11);
  });

  it('multiplies by backoffRatio on a drop and on an RTT over the timeout', () => {
    const l = new AimdLimit({ initialLimit: 100, minLimit: 1, timeoutMs: 1000 });
    l.onSample(0, 10, 1, true);
    expect(l.limit).toBe(90);
    l.onSample(0, 1001, 1, false);
    expect(l.limit).toBe(81);
    l.onSample(0, 1000, 81, false); // exactly the timeout is not over it
    expect(l.limit).toBe(82);
  });

  it('stays within [minLimit, maxLimit]', () => {
    const l = new AimdLimit({ initialLimit: 3, minLimit: 2, maxLimit: 4 });
    for (let i = 0; i < 5; i++) l.onSample(0, 1, 10, true);
    expect(l.limit).toBe(2);
    for (let i = 0; i < 5; i++) l.onSample(0, 1, 10, false);
    expect(l.limit).toBe(4);
  });

  it('validates its options, naming them', () => {
    expect(() => new AimdLimit({ backoffRatio: 1 })).toThrow(
      /backoffRatio must be a number in \[0.5, 1\), got 1/,
    );
    expect(() => new AimdLimit({ backoffRatio: 0.4 })).toThrow(RangeError);
    expect(() => new AimdLimit({ initialLimit: 10 })).toThrow(
      'initialLimit must be between minLimit (20) and maxLimit (200), got 10',
    );
    expect(() => new AimdLimit({ minLimit: 0 })).toThrow('minLimit must be a positive integer, got 0');
    expect(() => new AimdLimit({ minLimit: 5, maxLimit: 4, initialLimit: 4 })).toThrow(
      /maxLimit must be >= minLimit/,
    );
    expect(() => new AimdLimit({ timeoutMs: 0 })).toThrow(/timeoutMs/);
  });

  it('does not mutate its options', () => {
    const options = Object.freeze({ initialLimit: 5, minLimit: 1 });
    new AimdLimit(options).onSample(0, 1, 5, false);
    expect(options).toEqual({ initialLimit: 5, minLimit: 1 });
  });
});

describe('VegasLimit', () => {
  const noProbe = { probeMultiplier: 1_000_000, random: () => 0.99 };

  it('takes the first RTT as the no-load baseline and changes nothing on it', () => {
    const l = new VegasLimit(noProbe);
    l.onSample(0, 10, 20, false);
    expect([l.limit, l.rttNoLoad]).toEqual([20, 10]);
    l.onSample(0, 8, 20, false); // a lower RTT only lowers the baseline
    expect([l.limit, l.rttNoLoad]).toEqual([20, 8]);
  });

  it('grows by beta (6 · log10) when there is no queue, shrinks by log10 when the queue exceeds beta', () => {
    const l = new VegasLimit({ ...noProbe, initialLimit: 20 });
    l.onSample(0, 10, 20, false);
    l.onSample(0, 10, 20, false); // queue = ceil(20 · 0) = 0 <= threshold 1 → +beta 6
    expect(l.limit).toBe(26);
    l.onSample(0, 20, 26, false); // queue = ceil(26 · 0.5) = 13 > beta 6 → −1
    expect(l.limit).toBe(25);
    l.onSample(0, 10.5, 25, false); // queue = ceil(25 · 0.0476) = 2 < alpha 3 → +1
    expect(l.limit).toBe(26);
    l.onSample(0, 12, 26, false); // queue = ceil(26 · 0.1667) = 5, in [alpha, beta] → no change
    expect(l.limit).toBe(26);
  });

  it('shrinks on a drop even far from the limit, and does not grow when app-limited', () => {
    const l = new VegasLimit({ ...noProbe, initialLimit: 150 });
    l.onSample(0, 10, 1, false);
    l.onSample(0, 10, 1, false); // 1 · 2 < 150: nothing
    expect(l.limit).toBe(150);
    l.onSample(0, 10, 1, true); // decrease by log10(150) = 2
    expect(l.limit).toBe(148);
  });

  it('re-probes the baseline after about probeMultiplier · limit samples (jittered by random)', () => {
    const l = new VegasLimit({ initialLimit: 2, probeMultiplier: 2, random: () => 0 }); // every 0.5 · 2 · 2 = 2 samples
    l.onSample(0, 10, 2, false); // count 1: baseline 10
    l.onSample(0, 50, 2, false); // count 2: probe → baseline 50
    expect(l.rttNoLoad).toBe(50);
  });

  it('ignores unusable RTTs (0, negative, NaN, Infinity)', () => {
    const l = new VegasLimit(noProbe);
    for (const rtt of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) l.onSample(0, rtt, 20, true);
    expect([l.limit, l.rttNoLoad]).toEqual([20, 0]);
  });

  it('validates its options', () => {
    expect(() => new VegasLimit({ smoothing: 0 })).toThrow('smoothing must be a number in (0, 1], got 0');
    expect(() => new VegasLimit({ alpha: 3 as never })).toThrow('alpha must be a function, got 3');
    expect(() => new VegasLimit({ initialLimit: 2000 })).toThrow(/initialLimit must be between/);
  });
});

describe('Gradient2Limit', () => {
  it('has Netflix defaults: initial 20, min 20, max 200', () => {
    const l = new Gradient2Limit();
    expect([l.limit, l.minLimit, l.maxLimit]).toEqual([20, 20, 200]);
  });

  it('grows by smoothing · queueSize while RTT is within tolerance of the long-term average', () => {
    const l = new Gradient2Limit({ minLimit: 1 });
    l.onSample(0, 10, 20, false); // gradient 1 → 20 · 0.8 + (20 + 4) · 0.2 = 20.8
    expect(l.limit).toBe(20);
    l.onSample(0, 10, 20, false); // 21.6
    expect(l.limit).toBe(21);
    expect(l.longRtt).toBe(10);
  });

  it('shrinks by at most half a step when an RTT exceeds tolerance · longRtt', () => {
    const l = new Gradient2Limit({ minLimit: 1, initialLimit: 100 });
    for (let i = 0; i < 10; i++) l.onSample(0, 10, 100, false); // warm-up: longRtt = 10
    const before = l.limit;
    l.onSample(0, 1000, 200, false); // gradient clamped to 0.5
    // longRtt after the sample: 10 · (1 − 2/601) + 1000 · 2/601; estimate × (0.8 + 0.5·0.2) + 0.8
    expect(l.limit).toBe(Math.floor(before * 0.8 + (before * 0.5 + 4) * 0.2));
  });

  it('does not change the limit while app-limited (inflight < limit / 2), but still tracks RTT', () => {
    const l = new Gradient2Limit({ minLimit: 1 });
    l.onSample(0, 10, 9, false);
    l.onSample(0, 30, 9, false);
    expect(l.limit).toBe(20);
    expect(l.longRtt).toBe(20);
  });

  it('accepts a queueSize function of the limit', () => {
    const l = new Gradient2Limit({ minLimit: 1, queueSize: (limit) => Math.sqrt(limit) * 5 });
    l.onSample(0, 10, 20, false);
    expect(l.limit).toBe(Math.floor(20 + Math.sqrt(20) * 5 * 0.2));
  });

  it('validates its options', () => {
    expect(() => new Gradient2Limit({ rttTolerance: 0.5 })).toThrow(
      /rttTolerance must be a finite number >= 1/,
    );
    expect(() => new Gradient2Limit({ longWindow: 0 })).toThrow(
      'longWindow must be a positive integer, got 0',
    );
    expect(() => new Gradient2Limit({ queueSize: -1 })).toThrow(/queueSize/);
  });
});

describe('FixedLimit', () => {
  it('never moves', () => {
    const l = new FixedLimit(8);
    l.onSample();
    expect([l.type, l.limit]).toEqual(['fixed', 8]);
    expect(() => new FixedLimit(0)).toThrow('limit must be a positive integer, got 0');
  });
});

describe('WindowedLimit', () => {
  class Recorder implements LimitAlgorithm {
    readonly type = 'rec';
    readonly limit = 7;
    readonly samples: [number, number, number, boolean][] = [];
    onSample(startTime: number, rtt: number, inflight: number, didDrop: boolean): void {
      this.samples.push([startTime, rtt, inflight, didDrop]);
    }
  }

  it('passes on one sample per window: mean RTT, largest in-flight count, any drop', () => {
    const rec = new Recorder();
    const w = new WindowedLimit(rec, { windowSize: 3, minWindowMs: 100, maxWindowMs: 100 });
    expect([w.type, w.limit]).toEqual(['windowed-rec', 7]);
    w.onSample(0, 10, 1, false);
    w.onSample(1, 20, 5, true);
    expect(rec.samples).toEqual([]); // fewer than windowSize samples
    w.onSample(2, 30, 2, false); // the first window closes on its third sample
    expect(rec.samples).toEqual([[2, 20, 5, true]]);
    // Next window ends 100 ms after that sample's end (32): samples ending by 132 only accumulate.
    for (let t = 10; t < 100; t += 10) w.onSample(t, 20, 1, false);
    expect(rec.samples.length).toBe(1);
    w.onSample(120, 40, 3, false); // ends at 160 > 132, with 10 samples: passed on
    expect(rec.samples[1]).toEqual([120, (9 * 20 + 40) / 10, 3, false]);
  });

  it('sizes the window as twice the fastest call, within [minWindowMs, maxWindowMs]', () => {
    const rec = new Recorder();
    const w = new WindowedLimit(rec, { windowSize: 1, minWindowMs: 10, maxWindowMs: 1000 });
    w.onSample(0, 30, 1, false); // next window: 30 + 2 · 30 = 90
    w.onSample(50, 39, 1, false); // ends at 89: same window
    expect(rec.samples.length).toBe(1);
    w.onSample(50, 41, 1, false); // ends at 91
    expect(rec.samples.length).toBe(2);
  });

  it('skips calls faster than minRttThresholdMs and unusable RTTs', () => {
    const rec = new Recorder();
    const w = new WindowedLimit(rec, { windowSize: 1, minRttThresholdMs: 1 });
    for (const rtt of [0.5, Number.NaN, Number.POSITIVE_INFINITY, -1]) w.onSample(0, rtt, 1, true);
    expect(rec.samples).toEqual([]);
  });

  it('validates its arguments', () => {
    expect(() => new WindowedLimit({} as never)).toThrow(/delegate must be a LimitAlgorithm/);
    expect(() => new WindowedLimit(new FixedLimit(1), { minWindowMs: 10, maxWindowMs: 5 })).toThrow(
      'maxWindowMs must be >= minWindowMs (10), got 5',
    );
    expect(() => new WindowedLimit(new FixedLimit(1), { windowSize: 0 })).toThrow(
      'windowSize must be a positive integer, got 0',
    );
  });
});
