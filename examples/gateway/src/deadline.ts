// Deadlines across the gateway. An inbound `x-breakwater-deadline-ms` (remaining ms, as
// @breakwater/retry encodes it) shortens the call; the client always sends its own remaining time
// per attempt, computed from its per-service `timeoutMs`, so each endpoint connection's dispatch is
// wrapped to lower that value to what the inbound deadline leaves. The inbound deadline reaches the
// wrapper as an internal header carrying the absolute clock time; the wrapper removes it.
import { Client, type Dispatcher, type Pool } from 'undici';
import type { Clock } from './clock.js';

export const DEADLINE_HEADER = 'x-breakwater-deadline-ms';
/** Internal: absolute deadline (gateway clock, ms) of the inbound call; never leaves the gateway. */
export const DEADLINE_AT_HEADER = 'x-breakwater-gateway-deadline-at';

const DEADLINE_MS = /^\d{1,15}$/;

/** Decodes `x-breakwater-deadline-ms`; undefined when absent or malformed (never throws). */
export function decodeDeadline(value: string | string[] | undefined): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined) return undefined;
  const s = v.trim();
  return DEADLINE_MS.test(s) ? Number(s) : undefined;
}

type RawHeaders = (string | string[] | Buffer | Buffer[])[];

/**
 * The attempt's headers with the internal deadline removed and `x-breakwater-deadline-ms` lowered to
 * what is left of it (added when `add` and the client sent none). Headers without the internal one
 * are returned as they are.
 */
export function clampDeadlineHeaders(headers: RawHeaders, now: number, add: boolean): RawHeaders {
  let at = -1;
  for (let i = 0; i + 1 < headers.length; i += 2) {
    if (headers[i] === DEADLINE_AT_HEADER) {
      at = i;
      break;
    }
  }
  if (at === -1) return headers;
  const deadlineAt = Number(headers[at + 1]);
  const left = Math.max(0, Math.ceil(deadlineAt - now));
  const out: RawHeaders = [];
  let seen = false;
  for (let i = 0; i + 1 < headers.length; i += 2) {
    if (i === at) continue;
    const name = headers[i]!;
    const lower = typeof name === 'string' ? name.toLowerCase() : String(name).toLowerCase();
    if (lower === DEADLINE_HEADER) {
      seen = true;
      const sent = decodeDeadline(String(headers[i + 1]));
      out.push(name, String(sent === undefined ? left : Math.min(sent, left)));
    } else out.push(name, headers[i + 1]!);
  }
  if (!seen && add) out.push(DEADLINE_HEADER, String(left));
  return out;
}

/**
 * A Pool `factory` whose connections clamp the deadline header of each attempt. The Client's own
 * `dispatch` is wrapped (not `compose`d) so handlers reach it unwrapped, as the Pool would send them.
 */
export function deadlineClampFactory(
  clock: Clock,
  add: boolean,
  inner: Pool.Options['factory'],
): NonNullable<Pool.Options['factory']> {
  return (origin, opts) => {
    const client: Dispatcher = inner === undefined ? new Client(origin, opts) : inner(origin, opts);
    const dispatch = client.dispatch.bind(client);
    client.dispatch = (o: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean => {
      const h = o.headers;
      if (!Array.isArray(h)) return dispatch(o, handler);
      const next = clampDeadlineHeaders(h as RawHeaders, clock.now(), add);
      return dispatch(next === h ? o : { ...o, headers: next as string[] }, handler);
    };
    return client;
  };
}
