// Maps a failed proxied call to the status a proxy answers with, from the typed error codes of
// @breakwater/client, @breakwater/breaker and the gateway (codes, not classes: they survive
// duplicate installs). Messages are generic on purpose: the client's own messages list internal
// endpoint addresses, which an edge gateway must not show; the full error goes to the logger.

export interface ErrorResponse {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  /** Seconds, for a `Retry-After` header. */
  readonly retryAfterS?: number;
}

function codeOf(e: unknown): string | undefined {
  const c = typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined;
  return typeof c === 'string' ? c : undefined;
}

/** The error and its causes, outermost first (bounded: cause chains can be cyclic). */
function chain(e: unknown): unknown[] {
  const out: unknown[] = [];
  for (let c = e, i = 0; c !== undefined && c !== null && i < 8; i++) {
    out.push(c);
    c = typeof c === 'object' ? (c as { cause?: unknown }).cause : undefined;
  }
  return out;
}

const TIMEOUT_CAUSES = new Set([
  'BREAKWATER_PER_TRY_TIMEOUT',
  'BREAKWATER_DEADLINE_EXCEEDED',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

export function errorResponse(error: unknown, service: string): ErrorResponse {
  const all = chain(error);
  const codes = all.map(codeOf);
  if (codes.includes('BREAKWATER_GATEWAY_BODY_TOO_LARGE')) {
    return { status: 413, code: 'BREAKWATER_GATEWAY_BODY_TOO_LARGE', message: 'request body too large' };
  }
  const code = codes[0];
  switch (code) {
    case 'BREAKWATER_UNKNOWN_SERVICE':
      return { status: 404, code, message: `unknown service ${service}` };
    case 'BREAKWATER_NO_ENDPOINTS':
      return { status: 503, code, message: `no endpoint of ${service} is available` };
    case 'BREAKWATER_CIRCUIT_OPEN': {
      const ms = (error as { retryAfterMs?: unknown }).retryAfterMs;
      const retryAfterS =
        typeof ms === 'number' && Number.isFinite(ms) ? Math.max(1, Math.ceil(ms / 1_000)) : 1;
      return { status: 503, code, message: `${service} is failing: circuit open`, retryAfterS };
    }
    case 'BREAKWATER_BULKHEAD_FULL':
    case 'BREAKWATER_LIMIT_EXCEEDED':
      return { status: 503, code, message: `${service} is at its concurrency limit`, retryAfterS: 1 };
    case 'BREAKWATER_CLIENT_CLOSED':
      return { status: 503, code, message: 'the gateway is shutting down' };
    case 'BREAKWATER_DEADLINE_EXCEEDED':
    case 'BREAKWATER_GATEWAY_DEADLINE_EXCEEDED':
      return { status: 504, code, message: `${service} did not answer in time` };
    case 'BREAKWATER_REQUEST_FAILED': {
      // The last attempt's error decides: timed out → 504, anything else (refused, reset…) → 502.
      if (codes.slice(1).some((c) => c !== undefined && TIMEOUT_CAUSES.has(c))) {
        return { status: 504, code, message: `${service} did not answer in time` };
      }
      return { status: 502, code, message: `${service} could not be reached` };
    }
    default:
      return { status: 502, code: code ?? 'BREAKWATER_GATEWAY_UPSTREAM_ERROR', message: `${service} failed` };
  }
}
