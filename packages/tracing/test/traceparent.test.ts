import {
  FLAG_RANDOM,
  FLAG_SAMPLED,
  formatTraceparent,
  isValidSpanId,
  isValidTraceId,
  parseTraceparent,
} from '@breakwater/tracing';
import { describe, expect, it } from 'vitest';

// Values from the W3C Trace Context spec text and the w3c/trace-context conformance harness (test/test.py).
const TID = '12345678901234567890123456789012';
const PID = '1234567890123456';

describe('parseTraceparent: valid values', () => {
  it('parses the spec example (sampled)', () => {
    expect(parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')).toEqual({
      version: 0,
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      parentId: '00f067aa0ba902b7',
      traceFlags: FLAG_SAMPLED,
    });
  });

  it('parses the spec example (not sampled)', () => {
    expect(parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00')?.traceFlags).toBe(0);
  });

  it('keeps the random flag and unknown flag bits as received', () => {
    expect(parseTraceparent(`00-${TID}-${PID}-02`)?.traceFlags).toBe(FLAG_RANDOM);
    expect(parseTraceparent(`00-${TID}-${PID}-03`)?.traceFlags).toBe(FLAG_SAMPLED | FLAG_RANDOM);
    expect(parseTraceparent(`00-${TID}-${PID}-ff`)?.traceFlags).toBe(0xff);
    expect(parseTraceparent(`00-${TID}-${PID}-09`)?.traceFlags).toBe(0x09);
  });

  it('ignores leading and trailing optional whitespace (harness: test_traceparent_ows_handling)', () => {
    for (const v of [
      ` 00-${TID}-${PID}-01`,
      `\t00-${TID}-${PID}-01`,
      `00-${TID}-${PID}-01 `,
      `00-${TID}-${PID}-01\t`,
      `\t 00-${TID}-${PID}-01 \t`,
    ]) {
      expect(parseTraceparent(v)?.traceId, JSON.stringify(v)).toBe(TID);
    }
  });

  it('parses a higher version by its version-00 prefix (harness: test_traceparent_version_0xcc)', () => {
    expect(parseTraceparent(`cc-${TID}-${PID}-01`)).toEqual({
      version: 0xcc,
      traceId: TID,
      parentId: PID,
      traceFlags: 1,
    });
    expect(parseTraceparent(`cc-${TID}-${PID}-01-what-the-future-will-be-like`)?.traceId).toBe(TID);
    expect(parseTraceparent(`01-${TID}-${PID}-01-`)?.traceId).toBe(TID);
  });

  it('accepts ids that contain zeros but are not all zero', () => {
    expect(parseTraceparent(`00-00000000000000000000000000000001-0000000000000001-00`)).not.toBeNull();
  });
});

describe('parseTraceparent: invalid values restart the trace (null)', () => {
  const invalid: Array<[string, string]> = [
    ['version ff is forbidden', `ff-${TID}-${PID}-01`],
    ['version 00 with a trailing character', `00-${TID}-${PID}-01.`],
    ['version 00 with extra fields', `00-${TID}-${PID}-01-what-the-future-will-be-like`],
    ['higher version, extra data not after a dash', `cc-${TID}-${PID}-01.what-the-future-will-be-like`],
    ['illegal character in version (1)', `.0-${TID}-${PID}-01`],
    ['illegal character in version (2)', `0.-${TID}-${PID}-01`],
    ['version too long (3)', `000-${TID}-${PID}-01`],
    ['version too long (4)', `0000-${TID}-${PID}-01`],
    ['version too short', `0-${TID}-${PID}-01`],
    ['uppercase version', `0A-${TID}-${PID}-01`],
    ['all-zero trace-id', `00-00000000000000000000000000000000-${PID}-01`],
    ['illegal character in trace-id (first)', `00-.2345678901234567890123456789012-${PID}-01`],
    ['illegal character in trace-id (last)', `00-1234567890123456789012345678901.-${PID}-01`],
    ['trace-id too long', `00-123456789012345678901234567890123-${PID}-01`],
    ['trace-id too short', `00-1234567890123456789012345678901-${PID}-01`],
    ['uppercase trace-id', '00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01'],
    ['all-zero parent-id', `00-${TID}-0000000000000000-01`],
    ['illegal character in parent-id (first)', `00-${TID}-.234567890123456-01`],
    ['illegal character in parent-id (last)', `00-${TID}-123456789012345.-01`],
    ['parent-id too long', `00-${TID}-12345678901234567-01`],
    ['parent-id too short', `00-${TID}-123456789012345-01`],
    ['uppercase parent-id', `00-${TID}-00F067AA0BA902B7-01`],
    ['illegal character in flags (1)', `00-${TID}-${PID}-.0`],
    ['illegal character in flags (2)', `00-${TID}-${PID}-0.`],
    ['flags too long', `00-${TID}-${PID}-001`],
    ['flags too short', `00-${TID}-${PID}-1`],
    ['uppercase flags', `00-${TID}-${PID}-0A`],
    ['wrong delimiter', `00_${TID}_${PID}_01`],
    ['higher version shorter than 55', `cc-${TID}-${PID}-1`],
    ['empty', ''],
    ['whitespace only', ' \t '],
    ['whitespace inside', `00- ${TID}-${PID}-01`],
    ['a comma-joined duplicate header', `00-${TID}-${PID}-01, 00-${TID}-${PID}-01`],
  ];
  for (const [why, value] of invalid) {
    it(why, () => {
      expect(parseTraceparent(value)).toBeNull();
    });
  }

  it('returns null (does not throw) for non-strings', () => {
    expect(parseTraceparent(undefined)).toBeNull();
    expect(parseTraceparent(null)).toBeNull();
    expect(parseTraceparent(42 as unknown as string)).toBeNull();
    expect(parseTraceparent(['x'] as unknown as string)).toBeNull();
  });
});

describe('formatTraceparent', () => {
  it('writes version 00 and two-digit lowercase flags', () => {
    expect(formatTraceparent({ traceId: TID, parentId: PID, traceFlags: 1 })).toBe(`00-${TID}-${PID}-01`);
    expect(formatTraceparent({ traceId: TID, parentId: PID, traceFlags: 0x0a })).toBe(`00-${TID}-${PID}-0a`);
  });

  it('downgrades a higher version to 00 (spec: "Downgrade the version")', () => {
    const tp = parseTraceparent(`cc-${TID}-${PID}-01-future`)!;
    expect(formatTraceparent(tp)).toBe(`00-${TID}-${PID}-01`);
  });
});

describe('id validity', () => {
  it('checks length, lowercase hex and not all zero', () => {
    expect(isValidTraceId(TID)).toBe(true);
    expect(isValidTraceId(TID.toUpperCase().replace('1', 'A'))).toBe(false);
    expect(isValidTraceId('0'.repeat(32))).toBe(false);
    expect(isValidTraceId(`${TID}0`)).toBe(false);
    expect(isValidSpanId(PID)).toBe(true);
    expect(isValidSpanId('0'.repeat(16))).toBe(false);
    expect(isValidSpanId('g'.repeat(16))).toBe(false);
  });
});
