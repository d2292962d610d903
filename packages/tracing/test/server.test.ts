import { once } from 'node:events';
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createClientTracing,
  createTracingMiddleware,
  currentTraceId,
  logFields,
  requestContext,
  traceRequestListener,
} from '@breakwater/tracing';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { AlsContextManager, parentSpanId, sdk } from './support/otel.js';

const TP = '00-12345678901234567890123456789012-1234567890123456-01';
const TID = '12345678901234567890123456789012';

async function listen(
  listener: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<Server & { port: number }> {
  const server = createServer(listener);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return Object.assign(server, { port: (server.address() as AddressInfo).port });
}

function send(
  port: number,
  headers: Record<string, string | string[]>,
  path = '/items/7?x=1&X-Goog-Signature=secret',
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => {
        body += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met before the deadline');
    await new Promise((r) => setImmediate(r));
  }
}

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.close();
    s.closeAllConnections();
  }
  context.disable();
});

describe('server middleware with an SDK', () => {
  it('starts a SERVER span as child of the incoming traceparent and makes it current', async () => {
    const { provider, spans } = sdk();
    const tracer = provider.getTracer('test');
    const client = createClientTracing({ tracer });
    const seen: Array<Record<string, unknown>> = [];
    const server = await listen(
      traceRequestListener(
        async (req, res) => {
          await new Promise((r) => setImmediate(r)); // context survives async hops
          const call = client.startHttpCall({ method: 'GET', service: 'downstream' });
          call.end({ statusCode: 200 });
          seen.push({ traceId: currentTraceId(), ...logFields(), same: requestContext(req) !== undefined });
          res.statusCode = 201;
          res.end('ok');
        },
        { tracer, route: () => '/items/:id' },
      ),
    );
    servers.push(server);
    const res = await send(server.port, { traceparent: TP, tracestate: 'foo=1', 'user-agent': 'test-agent' });
    expect(res.status).toBe(201);
    await until(() => spans().length === 2);

    const serverSpan = spans().find((s) => s.kind === SpanKind.SERVER)!;
    const callSpan = spans().find((s) => s.kind === SpanKind.INTERNAL)!;
    expect(serverSpan.name).toBe('GET /items/:id');
    expect(serverSpan.spanContext().traceId).toBe(TID);
    expect(parentSpanId(serverSpan)).toBe('1234567890123456');
    expect(serverSpan.spanContext().traceState?.get('foo')).toBe('1');
    expect(serverSpan.attributes).toMatchObject({
      'http.request.method': 'GET',
      'url.path': '/items/7',
      'url.query': 'x=1&X-Goog-Signature=REDACTED',
      'url.scheme': 'http',
      'server.address': '127.0.0.1',
      'server.port': server.port,
      'client.address': '127.0.0.1',
      'user_agent.original': 'test-agent',
      'network.protocol.version': '1.1',
      'http.route': '/items/:id',
      'http.response.status_code': 201,
    });
    expect(parentSpanId(callSpan)).toBe(serverSpan.spanContext().spanId);
    expect(seen).toEqual([
      {
        traceId: TID,
        trace_id: TID,
        span_id: serverSpan.spanContext().spanId,
        trace_flags: '01',
        same: true,
      },
    ]);
  });

  it('restarts the trace on duplicate traceparent headers and marks 5xx as errors', async () => {
    const { provider, spans } = sdk();
    const server = await listen(
      traceRequestListener(
        (_req, res) => {
          res.statusCode = 503;
          res.end();
        },
        { tracer: provider.getTracer('t') },
      ),
    );
    servers.push(server);
    await send(server.port, { traceparent: [TP, TP.replace('12-', '11-')], tracestate: 'foo=1' });
    await until(() => spans().length === 1);
    const span = spans()[0]!;
    expect(span.spanContext().traceId).not.toBe(TID);
    expect(parentSpanId(span)).toBeUndefined();
    expect(span.spanContext().traceState).toBeUndefined();
    expect(span.attributes['error.type']).toBe('503');
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
  });

  it('uses the registered OpenTelemetry context manager when there is one', async () => {
    expect(context.setGlobalContextManager(new AlsContextManager())).toBe(true);
    const { provider } = sdk();
    const active: Array<string | undefined> = [];
    const server = await listen(
      traceRequestListener(
        (_req, res) => {
          active.push(trace.getSpanContext(context.active())?.traceId);
          // Across an await, through the context manager alone (the fallback store is not entered).
          void Promise.resolve().then(() => {
            active.push(currentTraceId());
            res.end();
          });
        },
        { tracer: provider.getTracer('t') },
      ),
    );
    servers.push(server);
    await send(server.port, { traceparent: TP });
    expect(active).toEqual([TID, TID]);
  });

  it('ends the span with an error when the connection closes before a response', async () => {
    const { provider, spans } = sdk();
    let arrived!: () => void;
    const gotRequest = new Promise<void>((r) => {
      arrived = r;
    });
    const server = await listen(
      traceRequestListener(
        () => {
          arrived(); // never responds
        },
        { tracer: provider.getTracer('t') },
      ),
    );
    servers.push(server);
    const req = request({ host: '127.0.0.1', port: server.port, path: '/' });
    req.on('error', () => {});
    req.end();
    await gotRequest;
    req.destroy();
    await until(() => spans().length === 1);
    expect(spans()[0]!.attributes['error.type']).toBe('_OTHER');
  });
});

describe('server middleware without an SDK', () => {
  it('keeps the incoming trace id current (ALS fallback) and gives outgoing calls a new parent-id', async () => {
    const client = createClientTracing();
    const seen: Array<{ traceId?: string; traceparent: string }> = [];
    const mw = createTracingMiddleware();
    const server = await listen((req, res) => {
      // Express-style: the middleware calls next(), the handler runs inside it.
      mw(req, res, async () => {
        await Promise.resolve();
        const call = client.startHttpCall({ method: 'POST' });
        seen.push({
          traceId: currentTraceId(),
          traceparent: call.startAttempt({ url: 'http://x/' }).traceparent,
        });
        res.end();
      });
    });
    servers.push(server);
    await send(server.port, { TraceParent: TP });
    await send(server.port, {});
    expect(seen[0]!.traceId).toBe(TID);
    expect(seen[0]!.traceparent).toMatch(new RegExp(`^00-${TID}-[0-9a-f]{16}-01$`));
    expect(seen[0]!.traceparent).not.toContain('1234567890123456-01');
    expect(seen[1]!.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(seen[1]!.traceId).not.toBe(TID);
    expect(seen[1]!.traceparent).toMatch(/-02$/);
  });

  it('has no trace outside a request', () => {
    expect(currentTraceId()).toBeUndefined();
    expect(logFields()).toEqual({});
  });
});
