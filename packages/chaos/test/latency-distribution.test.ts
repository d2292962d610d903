import { sampleLatency, seededRandom } from '@breakwater/chaos';
import { describe, expect, it } from 'vitest';

function samples(d: Parameters<typeof sampleLatency>[0], n = 20_000): number[] {
  const random = seededRandom(3);
  return Array.from({ length: n }, () => sampleLatency(d, random));
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

describe('sampleLatency', () => {
  it('fixed', () => {
    expect(samples({ kind: 'fixed', ms: 12 }, 10)).toEqual(Array(10).fill(12));
  });

  it('uniform stays in range with the right mean', () => {
    const xs = samples({ kind: 'uniform', minMs: 10, maxMs: 30 });
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(10);
    expect(Math.max(...xs)).toBeLessThanOrEqual(30);
    expect(Math.abs(mean(xs) - 20)).toBeLessThan(0.5);
  });

  it('normal has the right mean and is clamped at 0', () => {
    const xs = samples({ kind: 'normal', meanMs: 100, stdDevMs: 10 });
    expect(Math.abs(mean(xs) - 100)).toBeLessThan(0.5);
    const clamped = samples({ kind: 'normal', meanMs: 1, stdDevMs: 10 });
    expect(Math.min(...clamped)).toBe(0);
  });

  it('lognormal has median exp(mu) and a long right tail', () => {
    const xs = samples({ kind: 'lognormal', mu: Math.log(50), sigma: 0.5 });
    expect(Math.abs(median(xs) - 50)).toBeLessThan(2);
    expect(mean(xs)).toBeGreaterThan(median(xs));
    expect(Math.min(...xs)).toBeGreaterThan(0);
  });
});
