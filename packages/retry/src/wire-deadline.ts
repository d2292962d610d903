// Deadline propagation on the wire.
// gRPC: `grpc-timeout` = TimeoutValue TimeoutUnit, at most 8 ASCII digits and one of
// H (hours) M (minutes) S (seconds) m (ms) u (µs) n (ns), per PROTOCOL-HTTP2.md. We encode with the
// finest unit that fits in 8 digits, rounding up (as grpc-js does): the error is at most one unit,
// which is ≤ 1e-5 of the value for anything ≥ 0.1 ms.
// HTTP: `x-breakwater-deadline-ms` = the remaining time as a non-negative decimal integer of ms
// (at most 15 digits), rounded up. The receiver rebuilds a local deadline as now + value.

export const GRPC_TIMEOUT_HEADER = 'grpc-timeout';
export const DEADLINE_HEADER = 'x-breakwater-deadline-ms';

const MAX_GRPC_AMOUNT = 99_999_999;
// unit, and the factor from ms to that unit
const GRPC_UNITS: readonly (readonly [string, number])[] = [
  ['n', 1e6],
  ['u', 1e3],
  ['m', 1],
  ['S', 1e-3],
  ['M', 1 / 6e4],
  ['H', 1 / 3.6e6],
];
const GRPC_MS_PER_UNIT: Readonly<Record<string, number>> = {
  n: 1e-6,
  u: 1e-3,
  m: 1,
  S: 1e3,
  M: 6e4,
  H: 3.6e6,
};
const GRPC_TIMEOUT = /^(\d{1,8})([HMSmun])$/;
const DEADLINE_MS = /^\d{1,15}$/;

function first(value: unknown): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return typeof v === 'string' ? v.trim() : undefined;
}

/** Encodes a remaining duration (ms; ≤ 0 encodes as `0n`, huge values clamp to `99999999H`). */
export function encodeGrpcTimeout(ms: number): string {
  if (typeof ms !== 'number' || Number.isNaN(ms)) throw new TypeError(`ms must be a number, got ${ms}`);
  if (ms <= 0) return '0n';
  for (const [unit, toUnit] of GRPC_UNITS) {
    const x = ms * toUnit;
    // Round up, but not float noise (0.1 ms × 1e6 = 100000.00000000001 must stay 100000n).
    const r = Math.round(x);
    const amount = Math.max(1, Math.abs(x - r) < 1e-6 ? r : Math.ceil(x));
    if (amount <= MAX_GRPC_AMOUNT) return `${amount}${unit}`;
  }
  return `${MAX_GRPC_AMOUNT}H`;
}

/** Decodes a `grpc-timeout` value to ms; undefined for absent or malformed values (never throws). */
export function decodeGrpcTimeout(value: unknown): number | undefined {
  const s = first(value);
  if (s === undefined) return undefined;
  const m = GRPC_TIMEOUT.exec(s);
  if (m === null) return undefined;
  return Number(m[1]) * GRPC_MS_PER_UNIT[m[2]!]!;
}

/** Encodes a remaining duration as `x-breakwater-deadline-ms` (ms, rounded up, ≥ 0). */
export function encodeDeadlineHeader(ms: number): string {
  if (typeof ms !== 'number' || Number.isNaN(ms)) throw new TypeError(`ms must be a number, got ${ms}`);
  return String(Math.min(999_999_999_999_999, Math.max(0, Math.ceil(ms))));
}

/** Decodes `x-breakwater-deadline-ms` to ms; undefined for absent or malformed values (never throws). */
export function decodeDeadlineHeader(value: unknown): number | undefined {
  const s = first(value);
  if (s === undefined || !DEADLINE_MS.test(s)) return undefined;
  return Number(s);
}
