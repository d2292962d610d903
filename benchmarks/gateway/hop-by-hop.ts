// Hop-by-hop header stripping for the anchor proxies, with the gateway's own rule (RFC 9110 §7.6.1).
// Host is dropped as well: the upstream connection supplies its own.
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { connectionTokens, isHopByHop } from '@breakwater/example-gateway';

type Headers = IncomingHttpHeaders | Record<string, string | string[] | undefined>;

/** A copy of `headers` without hop-by-hop fields (and without `host` when `dropHost`). */
export function stripHopByHop(headers: Headers, dropHost: boolean): OutgoingHttpHeaders {
  const listed = connectionTokens(headers.connection);
  const out: OutgoingHttpHeaders = {};
  for (const name in headers) {
    if (isHopByHop(name, listed)) continue;
    if (dropHost && name === 'host') continue;
    const value = headers[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/** `/echo/rest?q` → `/rest?q`; anything outside the `/echo` prefix → undefined. */
export function stripPrefix(url: string | undefined, prefix = '/echo'): string | undefined {
  if (url === undefined || !url.startsWith(prefix)) return undefined;
  const rest = url.slice(prefix.length);
  if (rest === '') return '/';
  const c = rest.charCodeAt(0);
  if (c === 47 /* / */) return rest;
  if (c === 63 /* ? */) return `/${rest}`;
  return undefined;
}
