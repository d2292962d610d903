import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from '../src/launcher/latency-histogram.js';
import { EventWindows } from '../src/launcher/timeline.js';

describe('LatencyHistogram', () => {
  it('is empty at first and after reset', () => {
    const h = new LatencyHistogram();
    expect(h.percentile(0.5)).toBe(0);
    h.record(5);
    h.reset();
    expect([h.count, h.maxMs, h.percentile(0.99)]).toEqual([0, 0, 0]);
  });

  it('ignores NaN and negative samples', () => {
    const h = new LatencyHistogram();
    h.record(Number.NaN);
    h.record(-1);
    expect(h.count).toBe(0);
  });

  it('property: percentiles within 1 % (or 0.01 ms) of the exact order statistic, never above the max', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 100_000, noNaN: true }), { minLength: 1, maxLength: 300 }),
        fc.constantFrom(0.5, 0.9, 0.99, 0.999, 1),
        (samples, p) => {
          const h = new LatencyHistogram();
          for (const s of samples) h.record(s);
          const sorted = [...samples].sort((a, b) => a - b);
          const exact = sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
          const got = h.percentile(p);
          expect(got).toBeGreaterThanOrEqual(exact - 1e-9);
          expect(got).toBeLessThanOrEqual(Math.max(exact * 1.0101, 0.0101));
          expect(got).toBeLessThanOrEqual(sorted.at(-1)!);
          expect(h.count).toBe(samples.length);
        },
      ),
      { seed: 42, numRuns: 1_000 },
    );
  });
});

describe('EventWindows', () => {
  it('puts each request, by due time, in the 5 s before an event and the time after it until the next', () => {
    // Events at 1 s, 8 s and 20 s of a 22 s run.
    const w = new EventWindows([1_000, 8_000, 20_000], 22_000);
    w.record(500, 10, true); // before #0
    w.record(1_000, 300, false); // after #0 (due at the event counts as after)
    w.record(3_500, 20, true); // before #1 and after #0
    w.record(6_500, 30, true); // only before #1 (after #0 ends at 6 s)
    w.record(8_100, 40, true); // after #1
    w.record(19_000, 50, false); // before #2
    w.record(21_999, 60, true); // after #2, until the end of the run
    w.record(22_000, 70, true); // past the end: nowhere
    expect(w.around(0)).toEqual({
      before: { requests: 1, successRate: 1, p99Ms: 10 },
      after: { requests: 2, successRate: 0.5, p99Ms: 300 },
    });
    expect(w.around(1)?.before).toEqual({ requests: 2, successRate: 1, p99Ms: 30 });
    expect(w.around(1)?.after.requests).toBe(1);
    expect(w.around(2)?.before).toEqual({ requests: 1, successRate: 0, p99Ms: 50 });
    expect(w.around(2)?.after).toEqual({ requests: 1, successRate: 1, p99Ms: 60 });
    expect(w.around(3)).toBeUndefined();
  });

  it('has no requests in an empty window', () => {
    expect(new EventWindows([0], 1_000).around(0)?.before).toEqual({
      requests: 0,
      successRate: undefined,
      p99Ms: 0,
    });
  });
});
