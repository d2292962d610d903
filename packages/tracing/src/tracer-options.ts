// Options shared by the client and server helpers, resolved once at construction.
import { type TextMapPropagator, type Tracer, trace } from '@opentelemetry/api';
import { defaultIdGenerator, type IdGenerator } from './id-generator.js';
import { TraceContextPropagator } from './propagator.js';

export const INSTRUMENTATION_NAME = '@breakwater/tracing';
export const INSTRUMENTATION_VERSION = '0.1.0';

export interface TracingOptions {
  /** Tracer for the spans (default: `trace.getTracer('@breakwater/tracing')`, i.e. the global provider's). */
  tracer?: Tracer;
  /** Propagator used to inject/extract headers (default: a `TraceContextPropagator`). */
  propagator?: TextMapPropagator;
  /** Ids for spans created when no SDK is registered (default: the pooled crypto generator). */
  ids?: IdGenerator;
}

export interface ResolvedTracingOptions {
  readonly tracer: Tracer;
  readonly propagator: TextMapPropagator;
  readonly ids: IdGenerator;
}

export function resolveTracingOptions(options: TracingOptions): ResolvedTracingOptions {
  const tracer = options.tracer ?? trace.getTracer(INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION);
  const propagator = options.propagator ?? new TraceContextPropagator();
  const ids = options.ids ?? defaultIdGenerator;
  if (typeof tracer?.startSpan !== 'function') throw new TypeError('tracer must be an OpenTelemetry Tracer');
  if (typeof propagator?.inject !== 'function' || typeof propagator.extract !== 'function') {
    throw new TypeError('propagator must be an OpenTelemetry TextMapPropagator');
  }
  if (typeof ids?.traceId !== 'function' || typeof ids.spanId !== 'function') {
    throw new TypeError('ids must be an IdGenerator');
  }
  return { tracer, propagator, ids };
}
