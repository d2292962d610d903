import {
  DEADLINE_HEADER,
  Deadline,
  decodeDeadlineHeader,
  decodeGrpcTimeout,
  encodeDeadlineHeader,
  encodeGrpcTimeout,
  GRPC_TIMEOUT_HEADER,
} from '@breakwater/retry';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FakeTime } from './fake-time.js';

const RUNS = { seed: 20261126, numRuns: 1000 };
const UNIT_MS: Record<string, number> = { n: 1e-6, u: 1e-3, m: 1, S: 1000, M: 60_000, H: 3_600_000 };

describe('grpc-timeout', () => {
  it('encodes in the wire format: at most 8 digits and one unit', () => {
    expect(encodeGrpcTimeout(1)).toBe('1000000n');
    expect(encodeGrpcTimeout(0.1)).toBe('100000n');
    expect(encodeGrpcTimeout(250)).toBe('250000u');
    expect(encodeGrpcTimeout(5 * 60_000)).toBe('300000m');
    expect(encodeGrpcTimeout(30 * 3_600_000)).toBe('108000S');
    expect(encodeGrpcTimeout(0)).toBe('0n');
    expect(encodeGrpcTimeout(-5)).toBe('0n');
    expect(encodeGrpcTimeout(Number.POSITIVE_INFINITY)).toBe('99999999H');
    expect(() => encodeGrpcTimeout(Number.NaN)).toThrow(TypeError);
    expect(GRPC_TIMEOUT_HEADER).toBe('grpc-timeout');
  });

  it('round-trips: decode(encode(ms)) is ms rounded up to the chosen unit', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-6, max: 1e12, noNaN: true }), (ms) => {
        const wire = encodeGrpcTimeout(ms);
        expect(wire).toMatch(/^\d{1,8}[HMSmun]$/);
        const back = decodeGrpcTimeout(wire)!;
        const unit = UNIT_MS[wire.at(-1)!]!;
        expect(back).toBeGreaterThanOrEqual(ms - unit * 1e-6);
        expect(back).toBeLessThanOrEqual(ms + unit * (1 + 1e-9));
        // precision: the finest fitting unit keeps the error within 1e-5 of the value from 0.1 ms up
        if (ms >= 0.1) expect((back - ms) / ms).toBeLessThanOrEqual(1e-5 + 1e-12);
      }),
      RUNS,
    );
  });

  it('round-trips wire values: encode(decode(s)) decodes to the same duration', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 99_999_999 }),
        fc.constantFrom('H', 'M', 'S', 'm', 'u', 'n'),
        (n, u) => {
          const ms = decodeGrpcTimeout(`${n}${u}`)!;
          expect(ms).toBe(n * UNIT_MS[u]!);
          const again = decodeGrpcTimeout(encodeGrpcTimeout(ms))!;
          expect(Math.abs(again - ms)).toBeLessThanOrEqual(Math.max(ms * 1e-7, 1e-6));
        },
      ),
      RUNS,
    );
  });

  it('decodes garbage as undefined', () => {
    for (const g of [undefined, null, 5, '', '1', 'm', '123456789m', '1x', '-1m', '1.5S', ' 1 m', '1mm']) {
      expect(decodeGrpcTimeout(g)).toBeUndefined();
    }
    expect(decodeGrpcTimeout(['20m'])).toBe(20);
  });
});

describe('x-breakwater-deadline-ms', () => {
  it('encodes remaining ms rounded up and decodes strictly', () => {
    expect(DEADLINE_HEADER).toBe('x-breakwater-deadline-ms');
    expect(encodeDeadlineHeader(1500.2)).toBe('1501');
    expect(encodeDeadlineHeader(-3)).toBe('0');
    expect(decodeDeadlineHeader('1501')).toBe(1501);
    for (const g of ['', '-1', '1.5', 'abc', '1e3', '1234567890123456'])
      expect(decodeDeadlineHeader(g)).toBeUndefined();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 40 }), (ms) => {
        expect(decodeDeadlineHeader(encodeDeadlineHeader(ms))).toBe(ms);
      }),
      RUNS,
    );
  });
});

describe('Deadline', () => {
  it('is an absolute point on the injected monotonic clock', async () => {
    const time = new FakeTime(1000);
    const d = Deadline.after(500, time);
    expect(d.at).toBe(1500);
    expect(d.remaining()).toBe(500);
    expect(d.isExpired()).toBe(false);
    await time.advance(200);
    expect(d.remaining()).toBe(300);
    expect(d.toGrpcTimeout()).toBe('300000u');
    expect(d.toHeader()).toBe('300');
    await time.advance(400);
    expect(d.remaining()).toBe(0);
    expect(d.isExpired()).toBe(true);
    expect(Object.isFrozen(d)).toBe(true);
  });

  it('min picks the earlier; never never expires; wire constructors rebuild a local deadline', () => {
    const time = new FakeTime(0);
    const a = Deadline.at(100, time);
    const b = Deadline.at(50, time);
    expect(a.min(b)).toBe(b);
    expect(b.min(a)).toBe(b);
    expect(a.min(undefined)).toBe(a);
    expect(Deadline.never(time).isExpired()).toBe(false);
    expect(Deadline.fromGrpcTimeout('2S', time)?.at).toBe(2000);
    expect(Deadline.fromHeader('750', time)?.at).toBe(750);
    expect(Deadline.fromHeader('junk', time)).toBeUndefined();
    expect(() => Deadline.after(Number.NaN, time)).toThrow(RangeError);
  });
});
