// `/<service>/<rest>?q` → service and upstream path, on the raw request target so percent-encoding
// (`%2F` in a segment) reaches the service unchanged.

/** Service names the gateway routes: lower-case DNS-label-like (the client lower-cases hosts). */
export const SERVICE_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;

export interface ServicePath {
  readonly service: string;
  /** Path and query for the upstream; `/` at least. */
  readonly path: string;
}

/** Splits an origin-form target; undefined when the first segment is not a valid service name. */
export function splitServicePath(target: string): ServicePath | undefined {
  if (target.charCodeAt(0) !== 47 /* / */) return undefined;
  let end = 1;
  while (end < target.length) {
    const c = target.charCodeAt(end);
    if (c === 47 || c === 63 /* ? */) break;
    end++;
  }
  const service = target.slice(1, end);
  if (!SERVICE_NAME.test(service)) return undefined;
  const rest = target.slice(end);
  return { service, path: rest === '' ? '/' : rest.charCodeAt(0) === 63 ? `/${rest}` : rest };
}
