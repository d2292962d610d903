import { parseTracestate, rawHeadersGetter, TraceContextPropagator, TraceState } from '@breakwater/tracing';
import {
  type Context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  ROOT_CONTEXT,
  type TextMapGetter,
  trace,
} from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';

const TP = '00-12345678901234567890123456789012-1234567890123456-01';
const propagator = new TraceContextPropagator();

function extractRaw(raw: string[]): Context {
  return propagator.extract(ROOT_CONTEXT, { rawHeaders: raw }, rawHeadersGetter);
}

describe('TraceContextPropagator.extract', () => {
  it('extracts a remote span context, keeping all flags', () => {
    const ctx = propagator.extract(
      ROOT_CONTEXT,
      { traceparent: '00-12345678901234567890123456789012-1234567890123456-03', tracestate: 'foo=1' },
      defaultTextMapGetter,
    );
    const sc = trace.getSpanContext(ctx)!;
    expect(sc).toMatchObject({
      traceId: '12345678901234567890123456789012',
      spanId: '1234567890123456',
      traceFlags: 3,
      isRemote: true,
    });
    expect(sc.traceState?.serialize()).toBe('foo=1');
  });

  it('reads header names in any case (harness: header_name_valid_casing)', () => {
    for (const name of ['TraceParent', 'TrAcEpArEnT', 'TRACEPARENT']) {
      const sc = trace.getSpanContext(extractRaw([name, TP, 'TraceState', 'foo=1']));
      expect(sc?.traceId).toBe('12345678901234567890123456789012');
      expect(sc?.traceState?.get('foo')).toBe('1');
    }
  });

  it('ignores wrongly named headers (harness: trace-parent, trace.parent)', () => {
    expect(trace.getSpanContext(extractRaw(['trace-parent', TP]))).toBeUndefined();
    expect(trace.getSpanContext(extractRaw(['trace.parent', TP]))).toBeUndefined();
    expect(
      trace.getSpanContext(extractRaw(['traceparent', TP, 'trace-state', 'foo=1']))?.traceState,
    ).toBeUndefined();
  });

  it('restarts the trace on duplicate traceparent headers (harness: traceparent_duplicated)', () => {
    const ctx = extractRaw([
      'traceparent',
      '00-12345678901234567890123456789011-1234567890123456-01',
      'traceparent',
      '00-12345678901234567890123456789012-1234567890123456-01',
    ]);
    expect(trace.getSpanContext(ctx)).toBeUndefined();
    expect(ctx).toBe(ROOT_CONTEXT);
  });

  it('drops tracestate when traceparent is missing or invalid', () => {
    expect(trace.getSpanContext(extractRaw(['tracestate', 'foo=1']))).toBeUndefined();
    expect(trace.getSpanContext(extractRaw(['traceparent', 'ff-x', 'tracestate', 'foo=1']))).toBeUndefined();
  });

  it('does not read tracestate at all when traceparent is invalid', () => {
    const read: string[] = [];
    const getter: TextMapGetter<Record<string, string>> = {
      keys: (c) => Object.keys(c),
      get: (c, k) => {
        read.push(k);
        return c[k];
      },
    };
    propagator.extract(ROOT_CONTEXT, { traceparent: 'garbage', tracestate: 'foo=1' }, getter);
    expect(read).toEqual(['traceparent']);
  });

  it('combines several tracestate lines and drops an invalid list whole, keeping traceparent', () => {
    const ok = trace.getSpanContext(
      extractRaw(['traceparent', TP, 'tracestate', 'foo=1,bar=2', 'tracestate', 'baz=3']),
    );
    expect(ok?.traceState?.serialize()).toBe('foo=1,bar=2,baz=3');
    const dup = trace.getSpanContext(
      extractRaw(['traceparent', TP, 'tracestate', 'foo=1', 'tracestate', 'foo=2']),
    );
    expect(dup?.traceId).toBe('12345678901234567890123456789012');
    expect(dup?.traceState).toBeUndefined();
    const empty = trace.getSpanContext(extractRaw(['traceparent', TP, 'tracestate', '']));
    expect(empty?.traceState).toBeUndefined();
  });

  it('never throws, whatever the carrier or getter does', () => {
    const throwing: TextMapGetter = {
      keys: () => [],
      get: () => {
        throw new Error('boom');
      },
    };
    expect(propagator.extract(ROOT_CONTEXT, {}, throwing)).toBe(ROOT_CONTEXT);
    const weird: TextMapGetter = { keys: () => [], get: () => 42 as unknown as string };
    expect(propagator.extract(ROOT_CONTEXT, {}, weird)).toBe(ROOT_CONTEXT);
    expect(propagator.extract(ROOT_CONTEXT, null, defaultTextMapGetter)).toBe(ROOT_CONTEXT);
  });
});

describe('TraceContextPropagator.inject', () => {
  const sc = {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    traceFlags: 0xff,
    traceState: parseTracestate('congo=t61rcWkgMzE')!,
  };

  it('writes traceparent (unknown flags zeroed, sampled and random kept) and tracestate through the setter', () => {
    const calls: Array<[string, string]> = [];
    propagator.inject(trace.setSpanContext(ROOT_CONTEXT, sc), calls, {
      set: (c, k, v) => {
        c.push([k, v]);
      },
    });
    expect(calls).toEqual([
      ['traceparent', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-03'],
      ['tracestate', 'congo=t61rcWkgMzE'],
    ]);
  });

  it('writes nothing without a valid span context', () => {
    const carrier: Record<string, string> = {};
    propagator.inject(ROOT_CONTEXT, carrier, defaultTextMapSetter);
    propagator.inject(
      trace.setSpanContext(ROOT_CONTEXT, { ...sc, traceId: '0'.repeat(32) }),
      carrier,
      defaultTextMapSetter,
    );
    propagator.inject(
      trace.setSpanContext(ROOT_CONTEXT, { ...sc, spanId: 'XYZ' }),
      carrier,
      defaultTextMapSetter,
    );
    expect(carrier).toEqual({});
  });

  it('omits an empty tracestate and truncates a long one', () => {
    const carrier: Record<string, string> = {};
    propagator.inject(
      trace.setSpanContext(ROOT_CONTEXT, { ...sc, traceState: TraceState.EMPTY }),
      carrier,
      defaultTextMapSetter,
    );
    expect(carrier).toEqual({ traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-03' });
    const small = new TraceContextPropagator({ tracestateMaxLength: 5 });
    const c2: Record<string, string> = {};
    small.inject(
      trace.setSpanContext(ROOT_CONTEXT, { ...sc, traceState: parseTracestate('a=1,b=2')! }),
      c2,
      defaultTextMapSetter,
    );
    expect(c2.tracestate).toBe('a=1');
  });

  it('round-trips through extract', () => {
    const carrier: Record<string, string> = {};
    propagator.inject(
      trace.setSpanContext(ROOT_CONTEXT, { ...sc, traceFlags: 1 }),
      carrier,
      defaultTextMapSetter,
    );
    const back = trace.getSpanContext(propagator.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter));
    expect(back).toMatchObject({ traceId: sc.traceId, spanId: sc.spanId, traceFlags: 1, isRemote: true });
    expect(back?.traceState?.serialize()).toBe('congo=t61rcWkgMzE');
  });

  it('lists its fields and validates options', () => {
    expect(propagator.fields()).toEqual(['traceparent', 'tracestate']);
    expect(() => new TraceContextPropagator({ tracestateMaxLength: -1 })).toThrow(/tracestateMaxLength/);
  });
});
