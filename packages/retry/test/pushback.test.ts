import { parseGrpcRetryPushback, parseHttpDate, parseRetryAfter } from '@breakwater/retry';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

// Wall clock fixed at Sun, 06 Nov 1994 08:49:00 GMT
const NOW = Date.UTC(1994, 10, 6, 8, 49, 0);
const wall = { now: () => NOW };

describe('parseRetryAfter', () => {
  it('parses delta-seconds', () => {
    expect(parseRetryAfter('0', wall)).toBe(0);
    expect(parseRetryAfter('120', wall)).toBe(120_000);
    expect(parseRetryAfter(' 7 ', wall)).toBe(7000);
    expect(parseRetryAfter(['3', '9'], wall)).toBe(3000);
  });

  it('parses the three HTTP-date forms against the injected wall clock', () => {
    expect(parseRetryAfter('Sun, 06 Nov 1994 08:49:37 GMT', wall)).toBe(37_000);
    expect(parseRetryAfter('Sunday, 06-Nov-94 08:49:37 GMT', wall)).toBe(37_000);
    expect(parseRetryAfter('Sun Nov  6 08:49:37 1994', wall)).toBe(37_000);
    expect(parseRetryAfter('Mon, 07 Nov 1994 08:49:00 GMT', wall)).toBe(86_400_000);
  });

  it('gives 0 for a date in the past', () => {
    expect(parseRetryAfter('Sat, 05 Nov 1994 08:49:00 GMT', wall)).toBe(0);
  });

  it('ignores garbage (undefined, never throws)', () => {
    const garbage: unknown[] = [
      undefined,
      null,
      42,
      {},
      '',
      '   ',
      '-1',
      '1.5',
      '1e3',
      '0x10',
      'soon',
      'Sun, 06 Nov 1994 08:49:37',
      'Sun, 06 Nov 1994 08:49:37 PST',
      'Sun, 31 Feb 1994 08:49:37 GMT',
      'Sun, 06 Foo 1994 08:49:37 GMT',
      'Sun, 06 Nov 1994 25:49:37 GMT',
      '2024-01-01T00:00:00Z',
      'Sunday, 06-Nov-1994 08:49:37 GMT',
      '99999999999999999999',
    ];
    for (const g of garbage) expect(parseRetryAfter(g, wall)).toBeUndefined();
  });

  it('never throws and returns a non-negative finite delay or undefined, for any string', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[A-Za-z0-9 ,:-]{0,40}$/)), (s) => {
        const r = parseRetryAfter(s, wall);
        expect(r === undefined || (Number.isFinite(r) && r >= 0)).toBe(true);
      }),
      { seed: 20261126, numRuns: 1000 },
    );
  });

  it('round-trips any IMF-fixdate produced by Date#toUTCString', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_000_000_000 }), (sec) => {
        const t = sec * 1000;
        expect(parseHttpDate(new Date(t).toUTCString())).toBe(t);
        expect(parseRetryAfter(new Date(t).toUTCString(), { now: () => t - 5000 })).toBe(5000);
      }),
      { seed: 20261126, numRuns: 1000 },
    );
  });
});

describe('parseGrpcRetryPushback', () => {
  it('absent is undefined; non-negative integers are delays; negative or garbage means do not retry', () => {
    expect(parseGrpcRetryPushback(undefined)).toBeUndefined();
    expect(parseGrpcRetryPushback('0')).toBe(0);
    expect(parseGrpcRetryPushback('250')).toBe(250);
    expect(parseGrpcRetryPushback(['100'])).toBe(100);
    expect(parseGrpcRetryPushback('-1')).toBe(false);
    expect(parseGrpcRetryPushback('soon')).toBe(false);
    expect(parseGrpcRetryPushback('1.5')).toBe(false);
    expect(parseGrpcRetryPushback(Buffer.from('5'))).toBe(false);
  });
});
