// createGateway: an HTTP reverse proxy that routes `/<service>/<rest>` to live instances of
// <service> through a Breakwater HTTP client (server-side discovery). The client does discovery,
// balancing, breakers, outlier ejection, retries, deadlines and trace context; the gateway does
// the HTTP proxying around it: routing, header hygiene, bodies, error statuses, cancellation.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpClient, type HttpClient } from '@breakwater/client';
import { logFields, type ServerTracingOptions, traceRequestListener } from '@breakwater/tracing';
import type { Dispatcher } from 'undici';
import { defaultClock } from './clock.js';
import { DEADLINE_HEADER, deadlineClampFactory, decodeDeadline } from './deadline.js';
import { errorResponse } from './error-response.js';
import {
  BodyTooLargeError,
  DownstreamClosedError,
  InboundDeadlineError,
  isDownstreamClosedError,
} from './errors.js';
import { downstreamHeaders, upstreamHeaders } from './forward-headers.js';
import { type GatewayLogger, type GatewayOptions, resolveGatewayOptions } from './gateway-options.js';
import { bufferBody, hasBody, limitedBody } from './request-body.js';
import { splitServicePath } from './service-path.js';

export interface Gateway extends AsyncDisposable {
  /** A `node:http` request listener: mount it on your own server, or call `listen`. */
  readonly handler: (req: IncomingMessage, res: ServerResponse) => void;
  /** The Breakwater client behind the gateway (for `endpoints()`, tests, dashboards). */
  readonly client: HttpClient;
  /** Starts a server on `host:port` (default `127.0.0.1:0`) with `maxHeaderBytes` as Node's `maxHeaderSize`. */
  listen(port?: number, host?: string): Promise<AddressInfo>;
  /**
   * Stops accepting, lets requests in flight finish (at most `graceMs`, default 10 s, then cuts
   * their connections), closes the client. The registry is not closed (it is the caller's).
   */
  close(graceMs?: number): Promise<void>;
}

const silent: GatewayLogger = Object.freeze({ info() {}, warn() {} });
const JSON_TYPE = 'application/json; charset=utf-8';

function sendJson(res: ServerResponse, status: number, body: unknown, extra?: Record<string, string>): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(text), ...extra });
  res.end(text);
}

function sendError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  extra?: Record<string, string>,
): void {
  sendJson(res, status, { error: { code, message } }, extra);
}

function headBytes(req: IncomingMessage): number {
  // Request line + each `name: value\r\n`: what Node's maxHeaderSize counts, near enough.
  let n = (req.method?.length ?? 0) + (req.url?.length ?? 0) + 12;
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i++) n += raw[i]!.length + 2;
  return n;
}

export function createGateway(options: GatewayOptions): Gateway {
  const o = resolveGatewayOptions(options);
  const registry = options.registry;
  const allow = options.services;
  const logger = options.logger ?? silent;
  const clock = options.clock ?? defaultClock;
  const metricsRegistry = options.metrics?.registry;
  const c = options.client ?? {};
  const tracing = c.tracing !== false;
  const client = createHttpClient({
    ...c,
    registry,
    ...(allow === undefined ? {} : { services: allow }),
    defaults: { ...c.defaults, timeoutMs: c.defaults?.timeoutMs ?? o.timeoutMs },
    ...(c.metrics === undefined && metricsRegistry !== undefined
      ? { metrics: { registry: metricsRegistry } }
      : {}),
    ...(c.clock === undefined && options.clock !== undefined ? { clock: options.clock } : {}),
    undici: {
      ...c.undici,
      factory: deadlineClampFactory(clock, c.propagateDeadline !== false, c.undici?.factory),
    },
  });

  const dispatcher = client.dispatcher;
  let server: Server | undefined;
  let closing: Promise<void> | undefined;

  const routable = (service: string): boolean => {
    if (allow !== undefined) return Object.hasOwn(allow, service);
    try {
      return (registry as unknown as { services(): readonly string[] }).services().includes(service);
    } catch {
      return false;
    }
  };

  const serviceNames = (): string[] => {
    if (allow !== undefined) return Object.keys(allow);
    try {
      return [...(registry as unknown as { services(): readonly string[] }).services()];
    } catch {
      return [];
    }
  };

  async function routes(res: ServerResponse): Promise<void> {
    const out: Record<string, unknown> = {};
    for (const name of serviceNames().sort()) {
      let registered: unknown;
      try {
        const snapshot = await registry.resolve(name, AbortSignal.timeout(2_000));
        registered = snapshot.map((e) => ({ id: e.id, host: e.host, port: e.port }));
      } catch (error) {
        registered = { error: (error as { code?: string }).code ?? String(error) };
      }
      // The client's view (breaker, health, ejection) exists once the service has had a call.
      out[name] = { endpoints: client.endpoints(name), registry: registered };
    }
    sendJson(res, 200, { services: out });
  }

  async function admin(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendError(res, 405, 'BREAKWATER_GATEWAY_METHOD_NOT_ALLOWED', 'use GET', { allow: 'GET, HEAD' });
      return;
    }
    if (path === '/_gateway/health') {
      if (closing === undefined) sendJson(res, 200, { status: 'ok' });
      else sendJson(res, 503, { status: 'draining' });
    } else if (path === '/_gateway/routes') await routes(res);
    else if (path === '/metrics' && metricsRegistry !== undefined) {
      const text = await metricsRegistry.metrics();
      res.writeHead(200, {
        'content-type': metricsRegistry.contentType,
        'content-length': Buffer.byteLength(text),
      });
      res.end(text);
    } else sendError(res, 404, 'BREAKWATER_GATEWAY_NOT_FOUND', 'no such gateway endpoint');
  }

  async function proxy(
    req: IncomingMessage,
    res: ServerResponse,
    service: string,
    path: string,
  ): Promise<void> {
    if (headBytes(req) > o.maxHeaderBytes) {
      sendError(res, 431, 'BREAKWATER_GATEWAY_HEADERS_TOO_LARGE', 'request headers too large', {
        connection: 'close',
      });
      return;
    }
    const lengthHeader = req.headers['content-length'];
    const length = lengthHeader === undefined ? undefined : Number(lengthHeader);
    if (length !== undefined && length > o.maxBodyBytes) {
      // The body is not read: close the connection rather than drain it.
      sendError(res, 413, BodyTooLargeError.code, 'request body too large', { connection: 'close' });
      return;
    }
    const inbound = decodeDeadline(req.headers[DEADLINE_HEADER]);
    if (inbound === 0) {
      sendError(res, 504, InboundDeadlineError.code, `${service} did not answer in time`);
      return;
    }
    const start = clock.now();
    const ac = new AbortController();
    const onClose = (): void => {
      if (!res.writableFinished) ac.abort(new DownstreamClosedError());
    };
    res.once('close', onClose);
    // A timer only for calls that bring their own deadline; the client times everything else.
    const timer =
      inbound === undefined
        ? undefined
        : setTimeout(() => ac.abort(new InboundDeadlineError(inbound)), inbound);
    try {
      let body: Buffer | AsyncIterable<Buffer> | undefined;
      let streamedLength: string | undefined;
      if (hasBody(req)) {
        if (length !== undefined && length <= o.maxBufferedBodyBytes)
          body = await bufferBody(req, o.maxBodyBytes);
        else {
          body = limitedBody(req, o.maxBodyBytes);
          if (length !== undefined) streamedLength = String(length);
        }
      }
      if (ac.signal.aborted) throw ac.signal.reason;
      const headers = upstreamHeaders(req, {
        trustForwarded: o.trustForwarded,
        tracing,
        contentLength: streamedLength,
        deadlineAt: inbound === undefined ? undefined : start + inbound,
      });
      // undici's stream(): the answer is written straight into `res` (backpressure honoured; `res`
      // closing early aborts the upstream call), with no Readable body in between and no
      // stream.pipeline, whose per-call AbortController and DOMException cost about a third of a
      // proxied request (benchmarks/results/gateway.md).
      await dispatcher.stream(
        {
          origin: `http://${service}`,
          path,
          method: (req.method ?? 'GET') as Dispatcher.HttpMethod,
          headers,
          // undici sends async iterables as chunked bodies; its stream() typings omit them.
          ...(body === undefined ? {} : { body: body as Buffer }),
          signal: ac.signal,
        },
        ({ statusCode, headers: upHeaders }) => {
          const out = downstreamHeaders(upHeaders as Record<string, string | string[] | undefined>);
          if (closing !== undefined) out.connection = 'close';
          res.writeHead(statusCode, out);
          return res;
        },
      );
    } catch (error) {
      const reason = ac.signal.aborted ? ac.signal.reason : error;
      if (isDownstreamClosedError(reason) || res.destroyed || req.socket.destroyed) {
        logger.info('downstream closed; upstream call cancelled', { service, path, ...logFields() });
        return;
      }
      if (res.headersSent) {
        // The response was under way: all that can be done is to cut it short.
        logger.warn('upstream response broken', { service, path, error: String(error), ...logFields() });
        res.destroy();
        return;
      }
      const e = errorResponse(reason, service);
      logger.warn('proxy error', {
        service,
        path,
        status: e.status,
        code: e.code,
        error: reason instanceof Error ? reason.message : String(reason),
        elapsedMs: Math.round(clock.now() - start),
        ...logFields(),
      });
      const extra: Record<string, string> = {};
      if (e.retryAfterS !== undefined) extra['retry-after'] = String(e.retryAfterS);
      if (e.status === 413) extra.connection = 'close';
      sendError(res, e.status, e.code, e.message, extra);
    } finally {
      if (timer !== undefined) clearTimeout(timer);
      res.off('close', onClose);
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = req.url ?? '/';
    if (target.charCodeAt(0) !== 47) {
      sendError(
        res,
        400,
        'BREAKWATER_GATEWAY_BAD_REQUEST',
        'only origin-form request targets (/path) are accepted',
      );
      return;
    }
    const q = target.indexOf('?');
    const bare = q === -1 ? target : target.slice(0, q);
    if (bare.startsWith('/_gateway/') || (bare === '/metrics' && metricsRegistry !== undefined)) {
      await admin(req, res, bare);
      return;
    }
    const route = splitServicePath(target);
    if (route === undefined || !routable(route.service)) {
      const name = route?.service ?? bare.split('/')[1] ?? '';
      sendError(res, 404, 'BREAKWATER_UNKNOWN_SERVICE', `unknown service ${JSON.stringify(name)}`);
      return;
    }
    await proxy(req, res, route.service, route.path);
  }

  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch((error: unknown) => {
      logger.warn('gateway handler failed', { error: String(error) });
      if (!res.headersSent) sendError(res, 500, 'BREAKWATER_GATEWAY_INTERNAL', 'internal gateway error');
      else res.destroy();
    });
  };
  // The server span makes the inbound trace context current: the client continues it, with a new
  // parent id per attempt. With tracing off, traceparent/tracestate pass through untouched.
  const handler = tracing
    ? traceRequestListener(listener, (c.tracing === undefined ? {} : c.tracing) as ServerTracingOptions)
    : listener;

  const listen = (port = 0, host = '127.0.0.1'): Promise<AddressInfo> => {
    if (server !== undefined) return Promise.reject(new Error('the gateway is already listening'));
    if (closing !== undefined) return Promise.reject(new Error('the gateway is closed'));
    const s = createServer({ maxHeaderSize: o.maxHeaderBytes }, handler);
    server = s;
    return new Promise((resolve, reject) => {
      s.once('error', reject);
      s.listen(port, host, () => {
        s.off('error', reject);
        resolve(s.address() as AddressInfo);
      });
    });
  };

  const close = (graceMs = 10_000): Promise<void> => {
    if (closing !== undefined) return closing;
    const s = server;
    closing = (async () => {
      if (s?.listening) {
        const closed = new Promise<void>((resolve) => s.close(() => resolve()));
        s.closeIdleConnections();
        const cut = setTimeout(() => s.closeAllConnections(), graceMs);
        await closed;
        clearTimeout(cut);
      }
      await client.close();
    })();
    return closing;
  };

  return Object.freeze({
    handler,
    client,
    listen,
    close,
    [Symbol.asyncDispose]: () => close(),
  });
}
