// Server side of trace context for grpc-js: extract traceparent/tracestate from the call's
// metadata (as the HTTP middleware does from headers), start a SERVER span, and run the handler in
// that context so logs carry the trace id.

import {
  defaultIdGenerator,
  startSpanWithIds,
  TraceContextPropagator,
  withContext,
} from '@breakwater/tracing';
import type { Metadata } from '@grpc/grpc-js';
import { type Context, ROOT_CONTEXT, SpanKind, type TextMapGetter, trace } from '@opentelemetry/api';

const propagator = new TraceContextPropagator();
const tracer = trace.getTracer('@breakwater/example-shop');

const metadataGetter: TextMapGetter<Metadata> = {
  keys: (md) => Object.keys(md.getMap()),
  get: (md, key) => {
    const values = md.get(key);
    if (values.length === 0) return undefined;
    return values.map((v) => (typeof v === 'string' ? v : v.toString('utf8')));
  },
};

/** Runs `fn` inside the trace the caller sent (or a new one); the span ends when `fn`'s work ends. */
export function withGrpcServerSpan<T>(
  name: string,
  metadata: Metadata,
  fn: (end: (error?: boolean) => void) => T,
): T {
  const parent: Context = propagator.extract(ROOT_CONTEXT, metadata, metadataGetter);
  const span = startSpanWithIds(tracer, defaultIdGenerator, name, { kind: SpanKind.SERVER }, parent);
  let ended = false;
  const end = (error = false): void => {
    if (ended) return;
    ended = true;
    if (error) span.setStatus({ code: 2 });
    span.end();
  };
  return withContext(trace.setSpan(parent, span), () => fn(end));
}
