import { randomBytes } from 'node:crypto';
import { createHttpClient } from '@breakwater/client';
import {
  type Attributes,
  type Context,
  context,
  type Span,
  type SpanContext,
  SpanKind,
  type SpanOptions,
  type SpanStatus,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { request } from 'undici';
import { afterEach, expect, it } from 'vitest';
import { staticRegistry } from './helpers/client.js';
import { startServers, type TestServer } from './helpers/servers.js';

/** A minimal recording tracer standing in for an SDK. */
class RecordingSpan {
  readonly attributes: Attributes = {};
  ended = false;
  status: SpanStatus | undefined;
  constructor(
    readonly name: string,
    readonly kind: SpanKind | undefined,
    readonly parentSpanId: string | undefined,
    readonly sc: SpanContext,
  ) {}
  spanContext(): SpanContext {
    return this.sc;
  }
  setAttribute(k: string, v: unknown): this {
    this.attributes[k] = v as never;
    return this;
  }
  setAttributes(a: Attributes): this {
    Object.assign(this.attributes, a);
    return this;
  }
  addEvent(): this {
    return this;
  }
  addLink(): this {
    return this;
  }
  addLinks(): this {
    return this;
  }
  setStatus(s: SpanStatus): this {
    this.status = s;
    return this;
  }
  updateName(): this {
    return this;
  }
  end(): void {
    this.ended = true;
  }
  isRecording(): boolean {
    return true;
  }
  recordException(): void {}
}

class RecordingTracer {
  readonly spans: RecordingSpan[] = [];
  startSpan(name: string, options: SpanOptions = {}, ctx: Context = context.active()): Span {
    const parent = trace.getSpanContext(ctx);
    const span = new RecordingSpan(name, options.kind, parent?.spanId, {
      traceId: parent?.traceId ?? randomBytes(16).toString('hex'),
      spanId: randomBytes(8).toString('hex'),
      traceFlags: 1,
    });
    if (options.attributes !== undefined) span.setAttributes(options.attributes);
    this.spans.push(span);
    return span as unknown as Span;
  }
  startActiveSpan(): never {
    throw new Error('not used');
  }
}

let servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  servers = [];
});

it('with a recording tracer: a call span and one child span per attempt, whose ids are sent', async () => {
  servers = await startServers(2);
  servers[0]!.fault = { kind: 'status', status: 503 };
  const tracer = new RecordingTracer();
  const client = createHttpClient({
    registry: staticRegistry(servers),
    tracing: { tracer: tracer as unknown as Tracer },
    services: { catalog: { retry: { maxAttempts: 2 } } },
  });
  try {
    // s0 fails: one attempt (s1 first) or two (s0, then s1).
    const res = await request('http://catalog/items', { dispatcher: client.dispatcher });
    await res.body.dump();
  } finally {
    await client.close();
  }
  const call = tracer.spans.find((s) => s.kind === SpanKind.INTERNAL)!;
  expect(call.name).toBe('GET catalog');
  expect(call.ended).toBe(true);
  const attempts = tracer.spans.filter((s) => s.kind === SpanKind.CLIENT);
  const seen = servers.flatMap((s) => s.seen);
  expect(attempts).toHaveLength(seen.length);
  for (const a of attempts) {
    expect(a.parentSpanId).toBe(call.sc.spanId);
    expect(a.sc.traceId).toBe(call.sc.traceId);
    expect(a.ended).toBe(true);
    expect(a.attributes['server.address']).toBe('127.0.0.1');
  }
  const sent = seen.map((s) => s.headers.traceparent);
  expect(sent).toEqual(attempts.map((a) => `00-${a.sc.traceId}-${a.sc.spanId}-01`));
  expect(attempts.at(-1)!.attributes['http.response.status_code']).toBe(200);
  if (attempts.length === 2) {
    expect(attempts[0]!.attributes['http.response.status_code']).toBe(503);
    expect(attempts[1]!.attributes['http.request.resend_count']).toBe(1);
  }
});

it('without an SDK: continues the active trace and sends a fresh span id per attempt', async () => {
  servers = await startServers(3);
  for (const s of servers) s.fault = { kind: 'status', status: 503 };
  const client = createHttpClient({ registry: staticRegistry(servers), services: { catalog: {} } });
  const parent = trace.wrapSpanContext({
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    spanId: '00f067aa0ba902b7',
    traceFlags: 1,
  });
  try {
    const { withContext } = await import('@breakwater/tracing');
    await withContext(trace.setSpan(context.active(), parent), async () => {
      const res = await request('http://catalog/x', { dispatcher: client.dispatcher });
      await res.body.dump();
    });
  } finally {
    await client.close();
  }
  const sent = servers.flatMap((s) => s.seen).map((s) => String(s.headers.traceparent));
  expect(sent).toHaveLength(3);
  for (const tp of sent) expect(tp).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/);
  expect(new Set(sent).size).toBe(3);
  expect(sent.some((tp) => tp.includes('00f067aa0ba902b7'))).toBe(false);
});
