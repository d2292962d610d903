// Server pushback: HTTP `Retry-After` (RFC 9110 §10.2.3) and gRPC `grpc-retry-pushback-ms`
// (gRPC proposal A6). Parsers never throw: garbage is ignored (Retry-After) or means "do not retry"
// (grpc-retry-pushback-ms, as A6 specifies).
import type { Clock } from './types.js';

export const RETRY_AFTER_HEADER = 'retry-after';
export const GRPC_RETRY_PUSHBACK_HEADER = 'grpc-retry-pushback-ms';

const DAYS = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const LONG_DAYS = '(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)';
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MON = `(${MONTHS.join('|')})`;
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})';
// Sun, 06 Nov 1994 08:49:37 GMT
const IMF_FIXDATE = new RegExp(`^${DAYS}, (\\d{2}) ${MON} (\\d{4}) ${TIME} GMT$`);
// Sunday, 06-Nov-94 08:49:37 GMT (obsolete, but recipients must accept it)
const RFC850 = new RegExp(`^${LONG_DAYS}, (\\d{2})-${MON}-(\\d{2}) ${TIME} GMT$`);
// Sun Nov  6 08:49:37 1994 (asctime, obsolete)
const ASCTIME = new RegExp(`^${DAYS} ${MON} ( \\d|\\d{2}) ${TIME} (\\d{4})$`);
const DELTA_SECONDS = /^\d{1,12}$/;
const PUSHBACK = /^-?\d{1,15}$/;

function utc(year: number, month: string, day: number, h: number, m: number, s: number): number | undefined {
  const mon = MONTHS.indexOf(month);
  if (day < 1 || day > 31 || h > 23 || m > 59 || s > 60) return undefined;
  const t = Date.UTC(year, mon, day, h, m, Math.min(s, 59));
  // Reject dates that Date.UTC silently rolls over (31 Feb → 3 Mar).
  return new Date(t).getUTCDate() === day ? t : undefined;
}

/** Parses an HTTP-date in any of the three RFC 9110 forms to epoch ms; undefined when malformed. */
export function parseHttpDate(value: string, wallClock: Clock = Date): number | undefined {
  let m = IMF_FIXDATE.exec(value);
  if (m) return utc(Number(m[3]), m[2]!, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]));
  m = RFC850.exec(value);
  if (m) {
    // Two-digit years: a year more than 50 years in the future is the most recent past one (RFC 9110).
    const nowYear = new Date(wallClock.now()).getUTCFullYear();
    let year = Math.floor(nowYear / 100) * 100 + Number(m[3]);
    if (year > nowYear + 50) year -= 100;
    return utc(year, m[2]!, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]));
  }
  m = ASCTIME.exec(value);
  if (m) return utc(Number(m[6]), m[1]!, Number(m[2]!.trim()), Number(m[3]), Number(m[4]), Number(m[5]));
  return undefined;
}

/**
 * `Retry-After` as a delay in ms: delta-seconds, or an HTTP-date measured against `wallClock`
 * (epoch ms, default `Date`); a date in the past gives 0. Undefined when absent or malformed.
 */
export function parseRetryAfter(value: unknown, wallClock: Clock = Date): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (typeof v !== 'string') return undefined;
  const s = v.trim();
  if (DELTA_SECONDS.test(s)) return Number(s) * 1000;
  const t = parseHttpDate(s, wallClock);
  if (t === undefined) return undefined;
  return Math.max(0, t - wallClock.now());
}

/**
 * `grpc-retry-pushback-ms`: undefined when absent, `false` (do not retry) when negative or
 * unparseable, else the delay in ms.
 */
export function parseGrpcRetryPushback(value: unknown): number | false | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') return false;
  const s = v.trim();
  if (!PUSHBACK.test(s)) return false;
  const ms = Number(s);
  return ms < 0 ? false : ms;
}
