// Starting a span that always carries usable ids. With an SDK registered, the tracer's span is
// used as is (recording or not). With no SDK the API's no-op tracer returns either an invalid span
// context or the parent's own (same span id), which would forward the caller's parent-id
// unchanged; we replace it with a non-recording span carrying ids we generate, so trace context is
// still propagated with a new parent-id per hop.
import { type Context, type Span, type SpanOptions, type Tracer, trace } from '@opentelemetry/api';
import type { IdGenerator } from './id-generator.js';
import { FLAG_RANDOM, isValidSpanId, isValidTraceId, KNOWN_FLAGS } from './traceparent.js';

export function startSpanWithIds(
  tracer: Tracer,
  ids: IdGenerator,
  name: string,
  options: SpanOptions,
  parent: Context,
): Span {
  const span = tracer.startSpan(name, options, parent);
  if (span.isRecording()) return span;
  const sc = span.spanContext();
  const parentSc = options.root ? undefined : trace.getSpanContext(parent);
  const parentValid =
    parentSc !== undefined && isValidTraceId(parentSc.traceId) && isValidSpanId(parentSc.spanId);
  if (
    isValidTraceId(sc.traceId) &&
    isValidSpanId(sc.spanId) &&
    (!parentValid || sc.spanId !== parentSc.spanId)
  ) {
    return span; // an SDK's sampled-out span: it already has fresh ids
  }
  if (parentValid) {
    return trace.wrapSpanContext({
      traceId: parentSc.traceId,
      spanId: ids.spanId(),
      traceFlags: parentSc.traceFlags & KNOWN_FLAGS,
      traceState: parentSc.traceState,
    });
  }
  // A new trace from a random id: set the Level 2 random flag; not sampled, as nothing records it.
  return trace.wrapSpanContext({ traceId: ids.traceId(), spanId: ids.spanId(), traceFlags: FLAG_RANDOM });
}
