import {
  createIdGenerator,
  headersSetter,
  rawHeadersGetter,
  rawHeaderValues,
  recordSetter,
  startSpanWithIds,
} from '@breakwater/tracing';
import { ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { sdk } from './support/otel.js';

describe('carriers', () => {
  const raw = ['Host', 'x', 'TraceParent', 'a', 'tracestate', 's1', 'TRACESTATE', 's2', 'tracestate', 's3'];

  it('reads raw header lines case-insensitively, one value or all of them', () => {
    expect(rawHeaderValues(raw, 'traceparent')).toBe('a');
    expect(rawHeaderValues(raw, 'tracestate')).toEqual(['s1', 's2', 's3']);
    expect(rawHeaderValues(raw, 'missing')).toBeUndefined();
    expect(rawHeadersGetter.get({ rawHeaders: raw }, 'TraceParent')).toBe('a');
    expect(rawHeadersGetter.keys({ rawHeaders: raw })).toEqual(['host', 'traceparent', 'tracestate']);
  });

  it('writes through Headers and plain objects', () => {
    const h = new Headers();
    headersSetter.set(h, 'traceparent', 'v');
    expect(h.get('traceparent')).toBe('v');
    const o: Record<string, unknown> = {};
    recordSetter.set(o, 'tracestate', 's');
    expect(o).toEqual({ tracestate: 's' });
  });
});

describe('startSpanWithIds', () => {
  const noop = trace.getTracerProvider().getTracer('noop');
  const parent = trace.setSpanContext(ROOT_CONTEXT, {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    traceFlags: 0xff,
    isRemote: true,
  });
  const ids = createIdGenerator();

  it('gives a no-op span fresh ids, keeping the parent trace and known flags', () => {
    const sc = startSpanWithIds(noop, ids, 'x', {}, parent).spanContext();
    expect(sc.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(sc.spanId).not.toBe('b7ad6b7169203331');
    expect(sc.traceFlags).toBe(0x03);
  });

  it('starts a new trace for root spans', () => {
    const sc = startSpanWithIds(noop, ids, 'x', { root: true }, parent).spanContext();
    expect(sc.traceId).not.toBe('0af7651916cd43dd8448eb211c80319c');
    expect(sc.traceFlags).toBe(0x02);
  });

  it('keeps an SDK span, recording or sampled out', () => {
    const { provider, spans } = sdk();
    const span = startSpanWithIds(provider.getTracer('t'), ids, 'x', { kind: SpanKind.CLIENT }, parent);
    expect(span.isRecording()).toBe(true);
    span.end();
    expect(spans()[0]!.spanContext().spanId).toBe(span.spanContext().spanId);
  });
});
