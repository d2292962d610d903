// The `traceparent` header (W3C Trace Context Level 2, "traceparent Header" and "Versioning of
// traceparent"). Parsing is a single pass of char-code checks; it never throws and never allocates
// more than the two id substrings and the result object.
import { BYTE_HEX, hexValue, IS_LC_HEX, isLowerHexRange, isZeroRange } from './hex.js';

/** The sampled flag (bit 0): the caller may have recorded trace data. */
export const FLAG_SAMPLED = 0x01;
/** The random trace-id flag (bit 1, Level 2): at least the right-most 7 bytes of trace-id are random. */
export const FLAG_RANDOM = 0x02;
/** The flags this implementation knows; the spec says vendors MUST set the others to zero when sending. */
export const KNOWN_FLAGS = FLAG_SAMPLED | FLAG_RANDOM;

/** A parsed traceparent. Ids are 32 / 16 lowercase hex characters, never all zero. */
export interface TraceParent {
  /** The version read from the header (0 for `00`). Formatting always writes `00`, the highest version known. */
  readonly version: number;
  readonly traceId: string;
  /** The caller's span id (`parent-id` in the spec). */
  readonly parentId: string;
  /** The 8-bit trace-flags field as received (unknown bits included). */
  readonly traceFlags: number;
}

/** Length of a version-00 traceparent: 2 + 1 + 32 + 1 + 16 + 1 + 2. */
export const TRACEPARENT_LENGTH = 55;

/** "-" + flags for every byte value, so formatting concatenates four pieces. */
const FLAGS_SUFFIX: readonly string[] = BYTE_HEX.map((h) => `-${h}`);

const ZERO_TRACE_ID = '00000000000000000000000000000000';
const ZERO_SPAN_ID = '0000000000000000';

function isOws(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

/**
 * Parses a traceparent header value. Returns null for anything invalid (the caller then restarts
 * the trace). Leading and trailing optional whitespace (space, tab) is ignored, as an HTTP field
 * value excludes it. Version `00` must be exactly 55 characters; a higher version is parsed by its
 * version-00 prefix and may carry further fields after a `-`; version `ff` is invalid.
 */
export function parseTraceparent(value: string | undefined | null): TraceParent | null {
  if (typeof value !== 'string') return null;
  let start = 0;
  let end = value.length;
  while (start < end && isOws(value.charCodeAt(start))) start++;
  while (end > start && isOws(value.charCodeAt(end - 1))) end--;
  if (end - start < TRACEPARENT_LENGTH) return null;
  if (start !== 0 || end !== value.length) value = value.slice(start, end);
  const len = value.length;

  const v0 = value.charCodeAt(0);
  const v1 = value.charCodeAt(1);
  if (v0 > 0x66 || v1 > 0x66 || IS_LC_HEX[v0] !== 1 || IS_LC_HEX[v1] !== 1) return null;
  const version = hexValue(v0) * 16 + hexValue(v1);
  if (version === 0xff) return null;
  if (version === 0) {
    if (len !== TRACEPARENT_LENGTH) return null;
  } else if (len !== TRACEPARENT_LENGTH && value.charCodeAt(TRACEPARENT_LENGTH) !== 0x2d) {
    // A future version may append fields, but only after a dash.
    return null;
  }
  if (value.charCodeAt(2) !== 0x2d || value.charCodeAt(35) !== 0x2d || value.charCodeAt(52) !== 0x2d) {
    return null;
  }
  if (!isLowerHexRange(value, 3, 32) || !isLowerHexRange(value, 36, 16)) return null;
  const f0 = value.charCodeAt(53);
  const f1 = value.charCodeAt(54);
  if (f0 > 0x66 || f1 > 0x66 || IS_LC_HEX[f0] !== 1 || IS_LC_HEX[f1] !== 1) return null;
  if (isZeroRange(value, 3, 32) || isZeroRange(value, 36, 16)) return null;
  return {
    version,
    traceId: value.slice(3, 35),
    parentId: value.slice(36, 52),
    traceFlags: hexValue(f0) * 16 + hexValue(f1),
  };
}

/**
 * Formats a version-00 traceparent. Ids are written as given (use {@link isValidTraceId} /
 * {@link isValidSpanId} first if they come from outside); flags are masked to 8 bits.
 */
export function formatTraceparent(tp: {
  readonly traceId: string;
  readonly parentId: string;
  readonly traceFlags: number;
}): string {
  return `00-${tp.traceId}-${tp.parentId}${FLAGS_SUFFIX[tp.traceFlags & 0xff]}`;
}

/** 32 lowercase hex characters, not all zero. */
export function isValidTraceId(id: string): boolean {
  return id.length === 32 && isLowerHexRange(id, 0, 32) && id !== ZERO_TRACE_ID;
}

/** 16 lowercase hex characters, not all zero. */
export function isValidSpanId(id: string): boolean {
  return id.length === 16 && isLowerHexRange(id, 0, 16) && id !== ZERO_SPAN_ID;
}
