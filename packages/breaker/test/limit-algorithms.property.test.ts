import {
  AimdLimit,
  Gradient2Limit,
  type LimitAlgorithm,
  VegasLimit,
  WindowedLimit,
} from '@breakwater/breaker';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const params = { seed: 20_261_126, numRuns: 1000 } as const;

interface Bounds {
  minLimit: number;
  initialLimit: number;
  maxLimit: number;
}

/** min <= initial <= max, with room to move. */
const boundsArb = (minInitial = 1): fc.Arbitrary<Bounds> =>
  fc
    .tuple(
      fc.integer({ min: 1, max: 20 }),
      fc.integer({ min: 0, max: 300 }),
      fc.integer({ min: 0, max: 300 }),
    )
    .map(([minLimit, a, b]) => {
      const initialLimit = Math.max(minInitial, minLimit + Math.min(a, b));
      return { minLimit, initialLimit, maxLimit: Math.max(initialLimit, minLimit + Math.max(a, b)) };
    });

/**
 * Each algorithm with arbitrary options. `steady` keeps to settings under which "slower" is
 * detectable at all: Vegas's periodic re-probe of its baseline out of the way, and Gradient2's
 * long-term average long enough (≥ 100 samples; Netflix: 600) and its tolerance ≤ 2 — with a
 * 1-sample average the baseline *is* the current RTT and nothing is ever slower than it.
 */
const algorithmArb = (b: Bounds, steady: boolean): fc.Arbitrary<LimitAlgorithm> =>
  fc.oneof(
    fc
      .record({
        backoffRatio: fc.double({ min: 0.5, max: 0.99, noNaN: true }),
        timeoutMs: fc.integer({ min: 50, max: 5000 }),
      })
      .map((o) => new AimdLimit({ ...b, ...o })),
    fc
      .record({ smoothing: fc.double({ min: 0.1, max: 1, noNaN: true }), seed: fc.integer() })
      .map(({ smoothing, seed }) => {
        let s = seed >>> 0;
        const random = (): number => {
          s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
          return s / 2 ** 32;
        };
        return new VegasLimit({ ...b, smoothing, random, probeMultiplier: steady ? 1_000_000 : 30 });
      }),
    fc
      .record({
        smoothing: fc.double({ min: 0.1, max: 1, noNaN: true }),
        rttTolerance: fc.double({ min: 1, max: steady ? 2 : 3, noNaN: true }),
        longWindow: fc.integer({ min: steady ? 100 : 1, max: 1000 }),
      })
      .map((o) => new Gradient2Limit({ ...b, ...o })),
  );

const anyRtt = fc.oneof(
  fc.double({ min: 0, max: 10_000, noNaN: true }),
  fc.constantFrom(0, -1, Number.NaN, Number.POSITIVE_INFINITY, 1e-9, 1e12),
);
const sampleArb = fc.record({ rtt: anyRtt, inflight: fc.nat(2000), drop: fc.boolean() });

function inBounds(l: LimitAlgorithm, b: Bounds): void {
  expect(Number.isInteger(l.limit), `limit ${l.limit} is an integer`).toBe(true);
  expect(l.limit).toBeGreaterThanOrEqual(b.minLimit);
  expect(l.limit).toBeLessThanOrEqual(b.maxLimit);
}

/** RTT that signals congestion to each algorithm at step k (rising, and over AIMD's timeout). */
function congestedRtt(l: LimitAlgorithm, base: number, k: number): number {
  const rtt = base * 3 * 1.2 ** k;
  return l instanceof AimdLimit ? Math.max(rtt, l.timeoutMs + 1) : rtt;
}

describe('limit algorithms (properties)', () => {
  it('keep the limit an integer within [minLimit, maxLimit] for any sample sequence', () => {
    fc.assert(
      fc.property(
        boundsArb().chain((b) =>
          fc.tuple(
            fc.constant(b),
            fc.oneof(
              algorithmArb(b, false),
              algorithmArb(b, false).map(
                (l) => new WindowedLimit(l, { windowSize: 2, minWindowMs: 1, maxWindowMs: 5 }),
              ),
            ),
          ),
        ),
        fc.array(sampleArb, { maxLength: 200 }),
        ([b, l], samples) => {
          inBounds(l, b);
          for (const [t, s] of samples.entries()) {
            l.onSample(t, s.rtt, s.inflight, s.drop);
            inBounds(l, b);
          }
        },
      ),
      params,
    );
  });

  it('lower the limit under rising RTT and recover it when RTT falls back', () => {
    fc.assert(
      fc.property(
        boundsArb(60).chain((b) => fc.tuple(fc.constant(b), algorithmArb(b, true))),
        fc.integer({ min: 1, max: 49 }), // baseline RTT below AIMD's shortest timeout (50)
        fc.integer({ min: 40, max: 80 }),
        ([b, l], base, steps) => {
          // Steady state at the baseline RTT, the limit fully used.
          for (let i = 0; i < 12; i++) l.onSample(i, base, l.limit, false);
          const before = l.limit;
          for (let k = 0; k < steps; k++)
            l.onSample(k, congestedRtt(l, base, k), Math.max(1, l.limit), false);
          const congested = l.limit;
          expect(congested === b.minLimit || congested < before, `${l.type}: ${before} → ${congested}`).toBe(
            true,
          );
          // RTT back to the baseline: the limit grows again (or is already at the max).
          for (let k = 0; k < steps; k++) l.onSample(k, base, l.limit, false);
          expect(l.limit === b.maxLimit || l.limit > congested, `${l.type}: ${congested} → ${l.limit}`).toBe(
            true,
          );
        },
      ),
      params,
    );
  });

  it('AIMD and Vegas never raise the limit on a drop, and AIMD always lowers it (unless at the minimum)', () => {
    fc.assert(
      fc.property(
        boundsArb().chain((b) => fc.tuple(fc.constant(b), algorithmArb(b, true))),
        fc.array(fc.record({ rtt: fc.double({ min: 1, max: 1000, noNaN: true }), inflight: fc.nat(2000) }), {
          maxLength: 100,
        }),
        ([b, l], drops) => {
          if (l instanceof Gradient2Limit) return; // Gradient2 ignores drops (as Netflix's): they arrive as slow calls
          l.onSample(0, 1, l.limit, false); // a baseline for Vegas
          for (const d of drops) {
            const before = l.limit;
            l.onSample(0, d.rtt, d.inflight, true);
            expect(l.limit).toBeLessThanOrEqual(before);
            if (l instanceof AimdLimit) expect(l.limit === b.minLimit || l.limit < before).toBe(true);
          }
        },
      ),
      params,
    );
  });
});
