// Server-side extraction for node:http (and frameworks built on it: Express middleware shape,
// Fastify via an onRequest hook on request.raw/reply.raw). Extracts trace context from the raw
// header lines, starts a SERVER span (stable HTTP server conventions) and runs the rest of the
// request with that context current, ending the span when the response finishes or the
// connection closes.
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type Attributes,
  type Context,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { rawHeadersGetter } from './carrier.js';
import { withContext } from './context-store.js';
import {
  ATTR_CLIENT_ADDRESS,
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_REQUEST_METHOD_ORIGINAL,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_NETWORK_PROTOCOL_VERSION,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_PATH,
  ATTR_URL_QUERY,
  ATTR_URL_SCHEME,
  ATTR_USER_AGENT_ORIGINAL,
  normalizeMethod,
  redactQuery,
} from './semconv.js';
import { startSpanWithIds } from './start-span.js';
import { resolveTracingOptions, type TracingOptions } from './tracer-options.js';

export interface ServerTracingOptions extends TracingOptions {
  /** Low-cardinality route for the span name and http.route, e.g. '/users/:id' (default: none). */
  route?: (req: IncomingMessage) => string | undefined;
}

/** Express-style middleware: `(req, res, next)`. `next` runs inside the request's trace context. */
export type TracingMiddleware = (
  req: IncomingMessage,
  res: ServerResponse,
  next: (err?: unknown) => void,
) => void;

const requestContexts = new WeakMap<IncomingMessage, Context>();

/** The trace context the middleware made for `req` (for frameworks that lose async context). */
export function requestContext(req: IncomingMessage): Context | undefined {
  return requestContexts.get(req);
}

function hostAndPort(host: string | undefined): { address?: string; port?: number } {
  if (host === undefined || host === '') return {};
  // "[::1]:8080", "example.com:80", "example.com"
  const m = /^(\[[^\]]*\]|[^:]*)(?::(\d+))?$/.exec(host);
  if (m === null) return {};
  const address = m[1]!.startsWith('[') ? m[1]!.slice(1, -1) : m[1]!;
  return m[2] === undefined ? { address } : { address, port: Number(m[2]) };
}

/** Creates the extraction middleware. */
export function createTracingMiddleware(options: ServerTracingOptions = {}): TracingMiddleware {
  const opts = resolveTracingOptions(options);
  const route = options.route;
  if (route !== undefined && typeof route !== 'function') throw new TypeError('route must be a function');
  return (req, res, next) => {
    const parent = opts.propagator.extract(ROOT_CONTEXT, req, rawHeadersGetter);
    const { method, original } = normalizeMethod(req.method ?? 'GET');
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const encrypted = (req.socket as { encrypted?: boolean } | undefined)?.encrypted === true;
    const attributes: Attributes = {
      [ATTR_HTTP_REQUEST_METHOD]: method,
      [ATTR_URL_PATH]: q === -1 ? url : url.slice(0, q),
      [ATTR_URL_SCHEME]: encrypted ? 'https' : 'http',
      [ATTR_NETWORK_PROTOCOL_VERSION]: req.httpVersion,
    };
    if (original !== undefined) attributes[ATTR_HTTP_REQUEST_METHOD_ORIGINAL] = original;
    if (q !== -1) attributes[ATTR_URL_QUERY] = redactQuery(url.slice(q + 1));
    const { address, port } = hostAndPort(req.headers.host);
    if (address !== undefined) attributes[ATTR_SERVER_ADDRESS] = address;
    if (port !== undefined) attributes[ATTR_SERVER_PORT] = port;
    const remote = req.socket?.remoteAddress;
    if (remote !== undefined) attributes[ATTR_CLIENT_ADDRESS] = remote;
    const ua = req.headers['user-agent'];
    if (ua !== undefined) attributes[ATTR_USER_AGENT_ORIGINAL] = ua;
    const r = route?.(req);
    if (r !== undefined) attributes[ATTR_HTTP_ROUTE] = r;
    const shown = method === '_OTHER' ? 'HTTP' : method;
    const span = startSpanWithIds(
      opts.tracer,
      opts.ids,
      r === undefined ? shown : `${shown} ${r}`,
      { kind: SpanKind.SERVER, attributes },
      parent,
    );
    const ctx = trace.setSpan(parent, span);
    requestContexts.set(req, ctx);

    let ended = false;
    const end = (): void => {
      if (ended) return;
      ended = true;
      res.off('finish', end);
      res.off('close', end);
      if (span.isRecording()) {
        if (res.headersSent || res.writableFinished) {
          const status = res.statusCode;
          span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
          // For servers only 5xx is an error: 4xx is the client's fault.
          if (status >= 500) {
            span.setAttribute(ATTR_ERROR_TYPE, String(status));
            span.setStatus({ code: SpanStatusCode.ERROR });
          }
        } else {
          // Connection closed before a response was sent.
          span.setAttribute(ATTR_ERROR_TYPE, '_OTHER');
          span.setStatus({ code: SpanStatusCode.ERROR, message: 'connection closed before response' });
        }
      }
      span.end();
    };
    res.once('finish', end);
    res.once('close', end);
    withContext(ctx, next);
  };
}

/** Wraps a node:http request listener so it runs inside the request's trace context. */
export function traceRequestListener(
  listener: (req: IncomingMessage, res: ServerResponse) => void,
  options: ServerTracingOptions = {},
): (req: IncomingMessage, res: ServerResponse) => void {
  const middleware = createTracingMiddleware(options);
  return (req, res) => middleware(req, res, () => listener(req, res));
}
