import { constant, custom, exponential, immediate, type Jitter } from '@breakwater/retry';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { seededRandom } from './fake-time.js';

const RUNS = { seed: 20261126, numRuns: 1000 };
const eps = (x: number) => 1e-9 * Math.max(1, Math.abs(x));

describe('exponential backoff', () => {
  it('every delay lies within its formula bounds (all jitters)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.001, max: 1000, noNaN: true }),
        fc.double({ min: 0, max: 100_000, noNaN: true }),
        fc.double({ min: 1, max: 5, noNaN: true }),
        fc.constantFrom<Jitter>('none', 'full', 'equal', 'decorrelated'),
        fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), {
          minLength: 25,
          maxLength: 25,
        }),
        (initial, extra, multiplier, jitter, rolls) => {
          const max = initial + extra;
          let i = 0;
          const random = () => rolls[i++ % rolls.length]!;
          const it = exponential({ initial, max, multiplier, jitter, random }).start();
          let prev = initial;
          for (let n = 0; n < 25; n++) {
            const d = it.next();
            expect(Number.isFinite(d)).toBe(true);
            const e = Math.min(max, initial * multiplier ** n);
            switch (jitter) {
              case 'none':
                expect(Math.abs(d - e)).toBeLessThanOrEqual(eps(e) * (n + 1));
                break;
              case 'full':
                expect(d).toBeGreaterThanOrEqual(0);
                expect(d).toBeLessThanOrEqual(e + eps(e) * (n + 1));
                break;
              case 'equal':
                expect(d).toBeGreaterThanOrEqual(e / 2 - eps(e) * (n + 1));
                expect(d).toBeLessThanOrEqual(e + eps(e) * (n + 1));
                break;
              case 'decorrelated':
                expect(d).toBeGreaterThanOrEqual(initial);
                expect(d).toBeLessThanOrEqual(Math.min(max, prev * multiplier) + eps(prev * multiplier));
                break;
            }
            prev = d;
          }
        },
      ),
      RUNS,
    );
  });

  it('jitter distributions have the expected mean (seeded samples)', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.integer({ min: 1, max: 1000 }),
        fc.constantFrom<Jitter>('full', 'equal', 'decorrelated'),
        fc.integer({ min: 0, max: 5 }),
        (seed, initial, jitter, k) => {
          const random = seededRandom(seed);
          const max = 1e9;
          // multiplier left at its default: 2, or 3 for decorrelated (AWS: rand(base, prev × 3))
          const backoff = exponential({ initial, max, jitter, random });
          const retry = jitter === 'decorrelated' ? 0 : k; // later decorrelated delays depend on history
          const samples = 400;
          let sum = 0;
          for (let s = 0; s < samples; s++) {
            const it = backoff.start();
            for (let n = 0; n < retry; n++) it.next();
            sum += it.next();
          }
          const mean = sum / samples;
          const e = initial * 2 ** retry;
          // expected mean and the width of the uniform range it is drawn from
          const [expected, width] =
            jitter === 'full'
              ? [e / 2, e]
              : jitter === 'equal'
                ? [(3 * e) / 4, e / 2]
                : [2 * initial, 2 * initial];
          // σ of the mean = width / √12 / √400 ≈ 0.0144·width; allow 7σ
          expect(Math.abs(mean - expected)).toBeLessThanOrEqual(0.1 * width);
        },
      ),
      RUNS,
    );
  });

  it('a large seeded sample of full jitter has mean e/2 within 1%', () => {
    const random = seededRandom(42);
    const backoff = exponential({ initial: 1000, max: 1000, jitter: 'full', random });
    let sum = 0;
    const n = 100_000;
    for (let i = 0; i < n; i++) sum += backoff.start().next();
    expect(sum / n).toBeGreaterThan(495);
    expect(sum / n).toBeLessThan(505);
  });

  it('is stateless: each start() is an independent sequence', () => {
    const b = exponential({ initial: 10, max: 1000, jitter: 'none' });
    const a = b.start();
    expect([a.next(), a.next(), a.next()]).toEqual([10, 20, 40]);
    const c = b.start();
    expect(c.next()).toBe(10);
    expect(a.next()).toBe(80);
  });

  it('caps at max and never overflows to Infinity', () => {
    const it = exponential({ initial: 1, max: 500, multiplier: 10, jitter: 'none' }).start();
    const delays = Array.from({ length: 400 }, () => it.next());
    expect(delays.slice(0, 4)).toEqual([1, 10, 100, 500]);
    expect(delays.every((d) => d === 500 || d < 500)).toBe(true);
    expect(delays.at(-1)).toBe(500);
  });

  it('uses the injected random', () => {
    const it = exponential({ initial: 100, jitter: 'full', random: () => 0.5 }).start();
    expect(it.next()).toBe(50);
    expect(it.next()).toBe(100);
  });

  it('validates options, naming them', () => {
    expect(() => exponential({ initial: -1 })).toThrow(/initial/);
    expect(() => exponential({ initial: 10, max: 5 })).toThrow(/max must be >= initial/);
    expect(() => exponential({ multiplier: 0.5 })).toThrow(/multiplier/);
    expect(() => exponential({ jitter: 'bogus' as Jitter })).toThrow(/jitter/);
    expect(() => exponential({ jitter: 'decorrelated', initial: 0 })).toThrow(/initial/);
    expect(() => exponential({ random: 3 as unknown as () => number })).toThrow(TypeError);
  });
});

describe('constant, immediate and custom backoff', () => {
  it('constant returns the same delay forever', () => {
    const it = constant(25).start();
    expect([it.next(), it.next(), it.next()]).toEqual([25, 25, 25]);
    expect(immediate.start().next()).toBe(0);
    expect(() => constant(-1)).toThrow(/delay/);
  });

  it('custom receives the retry index and previous delay, clamped to [0, max]', () => {
    const calls: [number, number | undefined][] = [];
    const b = custom(
      (n, prev) => {
        calls.push([n, prev]);
        return n === 0 ? -5 : n === 1 ? Number.NaN : 100 * n;
      },
      { max: 250 },
    );
    const it = b.start();
    expect([it.next(), it.next(), it.next(), it.next()]).toEqual([0, 0, 200, 250]);
    expect(calls).toEqual([
      [0, undefined],
      [1, 0],
      [2, 0],
      [3, 200],
    ]);
    expect(b.start().next()).toBe(0);
  });
});
