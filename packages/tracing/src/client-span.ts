// The parts shared by HTTP and gRPC client helpers: an attempt span that can inject its context
// and be ended once with an outcome.
import {
  type Attributes,
  type Context,
  defaultTextMapSetter,
  type Span,
  SpanStatusCode,
  type TextMapSetter,
  trace,
} from '@opentelemetry/api';
import { BYTE_HEX } from './hex.js';
import { ATTR_ERROR_TYPE, errorType } from './semconv.js';
import { KNOWN_FLAGS } from './traceparent.js';
import type { ResolvedTracingOptions } from './tracer-options.js';
import { formatTracestate } from './tracestate.js';

/** A started span with its context; ended at most once (later calls are ignored). */
export abstract class TracedOperation {
  readonly span: Span;
  /** The context whose active span is `span`: parent of child spans, source of injected headers. */
  readonly context: Context;
  protected readonly opts: ResolvedTracingOptions;
  #ended = false;

  protected constructor(span: Span, parent: Context, opts: ResolvedTracingOptions) {
    this.span = span;
    this.context = trace.setSpan(parent, span);
    this.opts = opts;
  }

  get traceId(): string {
    return this.span.spanContext().traceId;
  }

  get spanId(): string {
    return this.span.spanContext().spanId;
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Writes trace headers (traceparent, tracestate) into `carrier` through the configured propagator. */
  inject<C>(carrier: C, setter: TextMapSetter<C> = defaultTextMapSetter as TextMapSetter<C>): void {
    this.opts.propagator.inject(this.context, carrier, setter);
  }

  /** The W3C traceparent value for this span, formatted directly (no propagator involved). */
  get traceparent(): string {
    const sc = this.span.spanContext();
    return `00-${sc.traceId}-${sc.spanId}-${BYTE_HEX[sc.traceFlags & KNOWN_FLAGS]}`;
  }

  /** The W3C tracestate value for this span, or undefined when there is none. */
  get tracestate(): string | undefined {
    const s = formatTracestate(this.span.spanContext().traceState);
    return s === '' ? undefined : s;
  }

  protected finish(attributes: Attributes, error: unknown, failed: boolean, errorTypeValue?: string): void {
    if (this.#ended) return;
    this.#ended = true;
    const span = this.span;
    if (span.isRecording()) {
      span.setAttributes(attributes);
      if (error !== undefined) {
        span.setAttribute(ATTR_ERROR_TYPE, errorTypeValue ?? errorType(error));
        if (error instanceof Error) span.recordException(error);
        span.setStatus({
          code: SpanStatusCode.ERROR,
          message: error instanceof Error ? error.message : String(error),
        });
      } else if (failed) {
        if (errorTypeValue !== undefined) span.setAttribute(ATTR_ERROR_TYPE, errorTypeValue);
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
    }
    span.end();
  }
}
