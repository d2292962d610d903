// Where the current trace context lives. With an OpenTelemetry context manager registered (as an
// SDK normally does) @opentelemetry/api's `context` is the truth; without one, context.with() is a
// no-op, so we also keep the context in our own AsyncLocalStorage and fall back to it.
import { AsyncLocalStorage } from 'node:async_hooks';
import { type Context, context, trace } from '@opentelemetry/api';
import { BYTE_HEX } from './hex.js';

const store = new AsyncLocalStorage<Context>();

/** The active context: OpenTelemetry's if it holds a span, else ours, else OpenTelemetry's. */
export function activeContext(): Context {
  const c = context.active();
  if (trace.getSpan(c) !== undefined) return c;
  return store.getStore() ?? c;
}

/**
 * Runs `fn` with `ctx` current: in OpenTelemetry's context manager when one is registered, else in
 * our fallback. Not both: each AsyncLocalStorage in use taxes every promise of the process (on
 * Node 20 an active one about doubles the cost of an `await`), so the fallback runs only when
 * OpenTelemetry's `context.with` did not make `ctx` current (no context manager registered).
 */
export function withContext<T>(ctx: Context, fn: () => T): T {
  return context.with(ctx, () => (context.active() === ctx ? fn() : store.run(ctx, fn)));
}

/** The trace id of the current span, or undefined outside any trace. */
export function currentTraceId(): string | undefined {
  const sc = trace.getSpanContext(activeContext());
  return sc === undefined || !trace.isSpanContextValid(sc) ? undefined : sc.traceId;
}

/** Log correlation fields, named as in OpenTelemetry's "Trace Context in non-OTLP Log Formats". */
export interface LogFields {
  trace_id?: string;
  span_id?: string;
  trace_flags?: string;
}

/**
 * Fields to merge into a structured log record so logs can be joined with traces
 * (`{ trace_id, span_id, trace_flags }`), or `{}` outside any trace.
 */
export function logFields(): LogFields {
  const sc = trace.getSpanContext(activeContext());
  if (sc === undefined || !trace.isSpanContextValid(sc)) return {};
  return { trace_id: sc.traceId, span_id: sc.spanId, trace_flags: BYTE_HEX[sc.traceFlags & 0xff]! };
}
