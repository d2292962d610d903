// Request headers sent upstream and response headers sent back: hop-by-hop ones removed, the
// forwarding headers set, and the headers the client writes itself (trace context, deadline) left
// to it.
import type { IncomingMessage } from 'node:http';
import { DEADLINE_AT_HEADER, DEADLINE_HEADER } from './deadline.js';
import { forwardedElement, forwardedNode } from './forwarded.js';
import { connectionTokens, isHopByHop } from './hop-by-hop.js';

export const VIA = '1.1 breakwater-gateway';

const FORWARDING = new Set(['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'forwarded']);
/**
 * Never copied: Host (undici sends the endpoint's), Expect (undici refuses it; Node answers
 * 100-continue itself), Content-Length (set again for streamed bodies, computed for buffered ones),
 * and our deadline headers (rebuilt).
 */
const DROPPED = new Set(['host', 'expect', 'content-length', DEADLINE_HEADER, DEADLINE_AT_HEADER]);
const TRACE = new Set(['traceparent', 'tracestate']);

export interface UpstreamHeaderOptions {
  readonly trustForwarded: boolean;
  /** The client injects trace context: inbound traceparent/tracestate are continued through the active context instead. */
  readonly tracing: boolean;
  /** Sent when the body is streamed with a known length. */
  readonly contentLength: string | undefined;
  /** Absolute deadline (gateway clock) of the inbound call, if it sent one. */
  readonly deadlineAt: number | undefined;
}

/** A flat `[name, value, …]` list, in the order received (duplicates kept). */
export function upstreamHeaders(req: IncomingMessage, o: UpstreamHeaderOptions): string[] {
  const raw = req.rawHeaders;
  const listed = connectionTokens(req.headers.connection);
  const out: string[] = [];
  let xff: string | undefined;
  let xfProto: string | undefined;
  let xfHost: string | undefined;
  let fwd: string | undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    const value = raw[i + 1]!;
    const lower = name.toLowerCase();
    if (isHopByHop(lower, listed) || DROPPED.has(lower)) continue;
    if (o.tracing && TRACE.has(lower)) continue;
    if (FORWARDING.has(lower)) {
      if (!o.trustForwarded) continue;
      if (lower === 'x-forwarded-for') xff = xff === undefined ? value : `${xff}, ${value}`;
      else if (lower === 'forwarded') fwd = fwd === undefined ? value : `${fwd}, ${value}`;
      else if (lower === 'x-forwarded-proto') xfProto ??= value;
      else xfHost ??= value;
      continue;
    }
    out.push(name, value);
  }
  const socket = req.socket as { remoteAddress?: string; encrypted?: boolean } | undefined;
  const remote = socket?.remoteAddress;
  const proto = socket?.encrypted === true ? 'https' : 'http';
  const host = req.headers.host;
  const client = remote ?? 'unknown';
  out.push('x-forwarded-for', xff === undefined ? client : `${xff}, ${client}`);
  out.push('x-forwarded-proto', xfProto ?? proto);
  if (xfHost !== undefined || host !== undefined) out.push('x-forwarded-host', xfHost ?? host!);
  const element = forwardedElement(forwardedNode(remote), host, proto);
  out.push('forwarded', fwd === undefined ? element : `${fwd}, ${element}`);
  out.push('via', VIA);
  if (o.contentLength !== undefined) out.push('content-length', o.contentLength);
  if (o.deadlineAt !== undefined) out.push(DEADLINE_AT_HEADER, String(o.deadlineAt));
  return out;
}

/** The upstream response's headers minus hop-by-hop ones, plus Via. */
export function downstreamHeaders(
  headers: Readonly<Record<string, string | string[] | undefined>>,
): Record<string, string | string[]> {
  const listed = connectionTokens(headers.connection);
  const out: Record<string, string | string[]> = {};
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    if (isHopByHop(lower, listed)) continue;
    out[name] = value;
  }
  const via = out.via;
  out.via = via === undefined ? VIA : `${Array.isArray(via) ? via.join(', ') : via}, ${VIA}`;
  return out;
}
