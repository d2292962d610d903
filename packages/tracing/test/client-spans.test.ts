import {
  createClientTracing,
  createIdGenerator,
  FLAG_RANDOM,
  parseTraceparent,
  parseTracestate,
  TraceContextPropagator,
} from '@breakwater/tracing';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { parentSpanId, sdk } from './support/otel.js';

const REMOTE = {
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  traceFlags: 1,
  isRemote: true,
  traceState: parseTracestate('congo=t61rcWkgMzE')!,
};

describe('HTTP client spans with an SDK', () => {
  it('creates a call span with one child CLIENT span per attempt and semconv attributes', () => {
    const { provider, spans } = sdk();
    const tracing = createClientTracing({ tracer: provider.getTracer('test') });
    const parent = trace.setSpanContext(ROOT_CONTEXT, REMOTE);

    const call = tracing.startHttpCall(
      { method: 'get', service: 'users', url: 'http://users/v1/u/1' },
      parent,
    );
    const a1 = call.startAttempt({ url: 'http://10.0.0.1:8080/v1/u/1' });
    const headers: Record<string, string> = {};
    a1.inject(headers);
    a1.end({ error: Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }) });
    const a2 = call.startAttempt({ url: 'https://user:secret@10.0.0.2/v1/u/1?x=1&sig=abc&Signature=d' });
    a2.end({ statusCode: 503 });
    const a3 = call.startAttempt({ url: 'http://10.0.0.3:9090/v1/u/1', serverAddress: 'users-3' });
    a3.end({ statusCode: 200 });
    call.end({ statusCode: 200 });
    call.end({ statusCode: 500 }); // ignored: ended once

    const all = spans();
    expect(all).toHaveLength(4);
    const callSpan = all.find((s) => s.kind === SpanKind.INTERNAL)!;
    const attempts = all.filter((s) => s.kind === SpanKind.CLIENT);
    expect(callSpan.name).toBe('GET users');
    expect(callSpan.spanContext().traceId).toBe(REMOTE.traceId);
    expect(parentSpanId(callSpan)).toBe(REMOTE.spanId);
    expect(callSpan.attributes).toMatchObject({
      'http.request.method': 'GET',
      'http.request.method_original': 'get',
      'url.full': 'http://users/v1/u/1',
      'http.response.status_code': 200,
    });
    expect(callSpan.status.code).not.toBe(SpanStatusCode.ERROR);

    expect(attempts.map((s) => parentSpanId(s))).toEqual([
      callSpan.spanContext().spanId,
      callSpan.spanContext().spanId,
      callSpan.spanContext().spanId,
    ]);
    expect(attempts.map((s) => s.name)).toEqual(['GET', 'GET', 'GET']);
    expect(attempts[0]!.attributes).toEqual({
      'http.request.method': 'GET',
      'http.request.method_original': 'get',
      'url.full': 'http://10.0.0.1:8080/v1/u/1',
      'server.address': '10.0.0.1',
      'server.port': 8080,
      'error.type': 'ECONNREFUSED',
    });
    expect(attempts[0]!.status.code).toBe(SpanStatusCode.ERROR);
    expect(attempts[0]!.events[0]?.name).toBe('exception');
    expect(attempts[1]!.attributes).toMatchObject({
      'url.full': 'https://REDACTED:REDACTED@10.0.0.2/v1/u/1?x=1&sig=REDACTED&Signature=REDACTED',
      'server.address': '10.0.0.2',
      'server.port': 443,
      'http.request.resend_count': 1,
      'http.response.status_code': 503,
      'error.type': '503',
    });
    expect(attempts[2]!.attributes).toMatchObject({
      'server.address': 'users-3',
      'server.port': 9090,
      'http.request.resend_count': 2,
      'http.response.status_code': 200,
    });
    expect(attempts[2]!.attributes['error.type']).toBeUndefined();

    // The injected headers name the first attempt as parent and carry tracestate on.
    expect(parseTraceparent(headers.traceparent)).toMatchObject({
      traceId: REMOTE.traceId,
      parentId: attempts[0]!.spanContext().spanId,
    });
    expect(headers.tracestate).toBe('congo=t61rcWkgMzE');
    expect(a1.traceparent).toBe(headers.traceparent);
    expect(a1.tracestate).toBe('congo=t61rcWkgMzE');
  });

  it('starts a new trace when there is no parent', () => {
    const { provider, spans } = sdk();
    const tracing = createClientTracing({ tracer: provider.getTracer('test') });
    const call = tracing.startHttpCall({ method: 'POST' }, ROOT_CONTEXT);
    call.startAttempt({ url: 'http://x:1/' }).end({ statusCode: 204 });
    call.end();
    const [attempt, callSpan] = spans();
    expect(parentSpanId(callSpan!)).toBeUndefined();
    expect(attempt!.spanContext().traceId).toBe(callSpan!.spanContext().traceId);
    expect(callSpan!.name).toBe('POST');
  });

  it('maps unknown methods to _OTHER', () => {
    const { provider, spans } = sdk();
    const call = createClientTracing({ tracer: provider.getTracer('t') }).startHttpCall(
      { method: 'PURGE' },
      ROOT_CONTEXT,
    );
    call.end();
    expect(spans()[0]!.attributes).toMatchObject({
      'http.request.method': '_OTHER',
      'http.request.method_original': 'PURGE',
    });
    expect(spans()[0]!.name).toBe('HTTP');
  });
});

describe('gRPC client spans with an SDK', () => {
  it('emits legacy RPC attributes by default', () => {
    const { provider, spans } = sdk();
    const tracing = createClientTracing({ tracer: provider.getTracer('test') });
    const call = tracing.startGrpcCall({ service: 'helloworld.Greeter', method: 'SayHello' }, ROOT_CONTEXT);
    call.startAttempt({ serverAddress: '10.0.0.1', serverPort: 50051 }).end({ statusCode: 14 });
    call.startAttempt({ serverAddress: '10.0.0.2', serverPort: 50051 }).end({ statusCode: 0 });
    call.end({ statusCode: 0 });
    const all = spans();
    const callSpan = all.find((s) => s.kind === SpanKind.INTERNAL)!;
    const [first, second] = all.filter((s) => s.kind === SpanKind.CLIENT);
    expect(callSpan.name).toBe('helloworld.Greeter/SayHello');
    expect(parentSpanId(first!)).toBe(callSpan.spanContext().spanId);
    expect(first!.attributes).toEqual({
      'rpc.system': 'grpc',
      'rpc.service': 'helloworld.Greeter',
      'rpc.method': 'SayHello',
      'server.address': '10.0.0.1',
      'server.port': 50051,
      'rpc.grpc.status_code': 14,
      'error.type': 'UNAVAILABLE',
    });
    expect(first!.status.code).toBe(SpanStatusCode.ERROR);
    expect(second!.attributes['rpc.grpc.status_code']).toBe(0);
    expect(second!.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('emits the newer RPC conventions when asked', () => {
    const { provider, spans } = sdk();
    const stable = createClientTracing({ tracer: provider.getTracer('t'), rpcConventions: 'stable' });
    const c = stable.startGrpcCall({ service: 'pkg.Svc', method: 'Get' }, ROOT_CONTEXT);
    c.startAttempt().end({ statusCode: 4 });
    c.end({ statusCode: 4 });
    expect(spans()[0]!.attributes).toEqual({
      'rpc.system.name': 'grpc',
      'rpc.method': 'pkg.Svc/Get',
      'rpc.response.status_code': 'DEADLINE_EXCEEDED',
      'error.type': 'DEADLINE_EXCEEDED',
    });
    const dup = createClientTracing({ tracer: provider.getTracer('t'), rpcConventions: 'dup' });
    const d = dup.startGrpcCall({ service: 'pkg.Svc', method: 'Get' }, ROOT_CONTEXT);
    d.end({ statusCode: 0 });
    expect(spans()[2]!.attributes).toEqual({
      'rpc.system': 'grpc',
      'rpc.service': 'pkg.Svc',
      'rpc.system.name': 'grpc',
      'rpc.method': 'pkg.Svc/Get',
      'rpc.grpc.status_code': 0,
      'rpc.response.status_code': 'OK',
    });
    expect(() => createClientTracing({ rpcConventions: 'new' as 'stable' })).toThrow(/rpcConventions/);
  });
});

describe('client spans without an SDK (no-op tracer)', () => {
  const noop = trace.getTracerProvider().getTracer('noop');

  it('still generates a new parent-id per attempt and forwards trace-id, flags and tracestate', () => {
    const tracing = createClientTracing({ tracer: noop });
    const parent = trace.setSpanContext(ROOT_CONTEXT, { ...REMOTE, traceFlags: 3 });
    const call = tracing.startHttpCall({ method: 'GET' }, parent);
    const ids = new Set<string>([REMOTE.spanId, call.spanId]);
    for (let i = 0; i < 3; i++) {
      const headers: Record<string, string> = {};
      const attempt = call.startAttempt({ url: 'http://x/' });
      attempt.inject(headers);
      const tp = parseTraceparent(headers.traceparent)!;
      expect(tp.traceId).toBe(REMOTE.traceId);
      expect(tp.traceFlags).toBe(3);
      expect(headers.tracestate).toBe('congo=t61rcWkgMzE');
      ids.add(tp.parentId);
      expect(attempt.span.isRecording()).toBe(false);
      attempt.end({ statusCode: 200 });
    }
    expect(ids.size).toBe(5);
  });

  it('starts a random trace (random flag set, not sampled) when there is no parent', () => {
    const ids = createIdGenerator({
      fill: (b) => {
        for (let i = 0; i < b.length; i++) b[i] = (i * 7 + 1) & 0xff;
      },
    });
    const tracing = createClientTracing({ tracer: noop, ids });
    const call = tracing.startGrpcCall({ service: 's', method: 'm' }, ROOT_CONTEXT);
    const attempt = call.startAttempt();
    const tp = parseTraceparent(attempt.traceparent)!;
    expect(tp.traceFlags).toBe(FLAG_RANDOM);
    expect(tp.traceId).toBe(call.traceId);
    expect(tp.parentId).not.toBe(call.spanId);
    expect(attempt.tracestate).toBeUndefined();
  });

  it('uses the configured propagator', () => {
    const calls: string[] = [];
    const propagator = new TraceContextPropagator();
    const spy = {
      inject: (...args: Parameters<TraceContextPropagator['inject']>) => {
        calls.push('inject');
        propagator.inject(...args);
      },
      extract: propagator.extract.bind(propagator),
      fields: () => propagator.fields(),
    };
    const call = createClientTracing({ tracer: noop, propagator: spy }).startHttpCall(
      { method: 'GET' },
      ROOT_CONTEXT,
    );
    const h: Record<string, string> = {};
    call.startAttempt({ url: 'http://x/' }).inject(h);
    expect(calls).toEqual(['inject']);
    expect(h.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-02$/);
  });

  it('validates options', () => {
    expect(() => createClientTracing({ tracer: {} as never })).toThrow(/tracer/);
    expect(() => createClientTracing({ propagator: {} as never })).toThrow(/propagator/);
    expect(() => createClientTracing({ ids: {} as never })).toThrow(/ids/);
  });
});
