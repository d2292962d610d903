// OpenTelemetry semantic-convention attribute names used here. HTTP names are from the stable
// HTTP conventions; RPC names exist in two generations: the long-standing experimental ones
// (rpc.system, rpc.service, rpc.method = bare method, rpc.grpc.status_code as int) and the newer
// release-candidate ones (rpc.system.name, rpc.method = "pkg.Service/Method",
// rpc.response.status_code as the status name). See `RpcConventions`.

export const ATTR_HTTP_REQUEST_METHOD = 'http.request.method';
export const ATTR_HTTP_REQUEST_METHOD_ORIGINAL = 'http.request.method_original';
export const ATTR_HTTP_RESPONSE_STATUS_CODE = 'http.response.status_code';
export const ATTR_HTTP_REQUEST_RESEND_COUNT = 'http.request.resend_count';
export const ATTR_HTTP_ROUTE = 'http.route';
export const ATTR_SERVER_ADDRESS = 'server.address';
export const ATTR_SERVER_PORT = 'server.port';
export const ATTR_CLIENT_ADDRESS = 'client.address';
export const ATTR_URL_FULL = 'url.full';
export const ATTR_URL_PATH = 'url.path';
export const ATTR_URL_QUERY = 'url.query';
export const ATTR_URL_SCHEME = 'url.scheme';
export const ATTR_USER_AGENT_ORIGINAL = 'user_agent.original';
export const ATTR_NETWORK_PROTOCOL_VERSION = 'network.protocol.version';
export const ATTR_ERROR_TYPE = 'error.type';

export const ATTR_RPC_SYSTEM = 'rpc.system';
export const ATTR_RPC_SERVICE = 'rpc.service';
export const ATTR_RPC_METHOD = 'rpc.method';
export const ATTR_RPC_GRPC_STATUS_CODE = 'rpc.grpc.status_code';
export const ATTR_RPC_SYSTEM_NAME = 'rpc.system.name';
export const ATTR_RPC_RESPONSE_STATUS_CODE = 'rpc.response.status_code';

export const ERROR_TYPE_OTHER = '_OTHER';

const KNOWN_METHODS = new Set([
  'CONNECT',
  'DELETE',
  'GET',
  'HEAD',
  'OPTIONS',
  'PATCH',
  'POST',
  'PUT',
  'QUERY',
  'TRACE',
]);

/** The semconv value of http.request.method: a known method, else `_OTHER` (original kept apart). */
export function normalizeMethod(method: string): { method: string; original: string | undefined } {
  const upper = method.toUpperCase();
  if (KNOWN_METHODS.has(upper)) return { method: upper, original: upper === method ? undefined : method };
  return { method: '_OTHER', original: method };
}

/** A low-cardinality error.type for a thrown value: its string `code` (e.g. ECONNREFUSED), else its class name. */
export function errorType(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code !== '') return code;
    const name = (error as { name?: unknown }).name;
    if (typeof name === 'string' && name !== '' && name !== 'Error') return name;
    const ctor = (error as { constructor?: { name?: unknown } }).constructor?.name;
    if (typeof ctor === 'string' && ctor !== '') return ctor;
  }
  return ERROR_TYPE_OTHER;
}

/** gRPC status code names, by numeric code. */
export const GRPC_STATUS_NAMES: readonly string[] = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
];

/** Query parameters whose values semconv says SHOULD be redacted in url.full / url.query by default. */
const SENSITIVE_QUERY_KEYS = new Set(['AWSAccessKeyId', 'Signature', 'sig', 'X-Goog-Signature']);

/** A query string (without '?') with the values of sensitive parameters replaced by REDACTED. */
export function redactQuery(query: string): string {
  if (query === '' || !/(?:^|&)(?:AWSAccessKeyId|Signature|sig|X-Goog-Signature)=/.test(query)) return query;
  return query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      return eq !== -1 && SENSITIVE_QUERY_KEYS.has(pair.slice(0, eq))
        ? `${pair.slice(0, eq)}=REDACTED`
        : pair;
    })
    .join('&');
}
