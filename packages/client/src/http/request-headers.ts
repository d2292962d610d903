// Request headers are flattened once per call into [name, value, name, value, …] (undici's raw
// form) without the headers the client writes itself; each attempt copies that array and
// appends its own traceparent / tracestate / deadline.
import { DEADLINE_HEADER } from '@breakwater/retry';

export type FlatHeaders = (string | string[] | Buffer | Buffer[])[];

function ours(name: string, stripTrace: boolean, stripDeadline: boolean): boolean {
  const n = name.length;
  if (stripTrace && (n === 11 || n === 10)) {
    const l = name.toLowerCase();
    if (l === 'traceparent' || l === 'tracestate') return true;
  }
  return stripDeadline && n === DEADLINE_HEADER.length && name.toLowerCase() === DEADLINE_HEADER;
}

const EMPTY: FlatHeaders = [];

/** Accepts every form undici takes: a record, a flat array, or an iterable of pairs. */
export function flattenHeaders(headers: unknown, stripTrace: boolean, stripDeadline: boolean): FlatHeaders {
  if (headers == null) return EMPTY;
  const out: FlatHeaders = [];
  if (Array.isArray(headers)) {
    if (headers.length > 0 && Array.isArray(headers[0])) {
      for (const pair of headers as [unknown, unknown][])
        push(out, pair[0], pair[1], stripTrace, stripDeadline);
    } else {
      for (let i = 0; i + 1 < headers.length; i += 2) {
        push(out, headers[i], headers[i + 1], stripTrace, stripDeadline);
      }
    }
    return out;
  }
  if (typeof headers === 'object') {
    const iter = (headers as { [Symbol.iterator]?: unknown })[Symbol.iterator];
    if (typeof iter === 'function' && iter !== Object.prototype[Symbol.iterator as never]) {
      for (const pair of headers as Iterable<[unknown, unknown]>)
        push(out, pair[0], pair[1], stripTrace, stripDeadline);
      return out;
    }
    const rec = headers as Record<string, unknown>;
    for (const key of Object.keys(rec)) push(out, key, rec[key], stripTrace, stripDeadline);
    return out;
  }
  throw new TypeError('headers must be an object or an array');
}

function push(
  out: FlatHeaders,
  name: unknown,
  value: unknown,
  stripTrace: boolean,
  stripDeadline: boolean,
): void {
  if (value === undefined) return;
  const key = typeof name === 'string' ? name : String(name);
  if (ours(key, stripTrace, stripDeadline)) return;
  out.push(key, value as string);
}

/** A fresh array for one attempt: the call's headers plus up to three of ours. */
export function attemptHeaders(
  base: FlatHeaders,
  traceparent: string | undefined,
  tracestate: string | undefined,
  deadline: string | undefined,
): FlatHeaders {
  const n = base.length;
  const out: FlatHeaders = new Array(
    n +
      (traceparent === undefined ? 0 : 2) +
      (tracestate === undefined ? 0 : 2) +
      (deadline === undefined ? 0 : 2),
  );
  let i = 0;
  for (; i < n; i++) out[i] = base[i]!;
  if (traceparent !== undefined) {
    out[i++] = 'traceparent';
    out[i++] = traceparent;
  }
  if (tracestate !== undefined) {
    out[i++] = 'tracestate';
    out[i++] = tracestate;
  }
  if (deadline !== undefined) {
    out[i++] = DEADLINE_HEADER;
    out[i++] = deadline;
  }
  return out;
}

/** The first value of a header in undici's raw response headers, or undefined. */
export function rawHeader(raw: readonly (Buffer | string)[], lowerName: string): string | undefined {
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const k = raw[i]!;
    if (k.length === lowerName.length && k.toString().toLowerCase() === lowerName)
      return raw[i + 1]!.toString();
  }
  return undefined;
}
