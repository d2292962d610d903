export {
  headersSetter,
  type RawHeadersCarrier,
  rawHeadersGetter,
  rawHeaderValues,
  recordSetter,
} from './carrier.js';
export { TracedOperation } from './client-span.js';
export { type ClientTracing, type ClientTracingOptions, createClientTracing } from './client-tracing.js';
export { activeContext, currentTraceId, type LogFields, logFields, withContext } from './context-store.js';
export {
  GrpcAttempt,
  type GrpcAttemptInfo,
  GrpcCall,
  type GrpcCallInfo,
  type GrpcOutcome,
  type RpcConventions,
} from './grpc-client.js';
export {
  HttpAttempt,
  type HttpAttemptInfo,
  HttpCall,
  type HttpCallInfo,
  type HttpOutcome,
} from './http-client.js';
export {
  createIdGenerator,
  defaultIdGenerator,
  type FillRandom,
  type IdGenerator,
  type IdGeneratorOptions,
} from './id-generator.js';
export {
  extractSpanContext,
  TRACEPARENT_HEADER,
  TRACESTATE_HEADER,
  TraceContextPropagator,
  type TraceContextPropagatorOptions,
} from './propagator.js';
export * as semconv from './semconv.js';
export {
  createTracingMiddleware,
  requestContext,
  type ServerTracingOptions,
  type TracingMiddleware,
  traceRequestListener,
} from './server.js';
export { startSpanWithIds } from './start-span.js';
export {
  FLAG_RANDOM,
  FLAG_SAMPLED,
  formatTraceparent,
  isValidSpanId,
  isValidTraceId,
  KNOWN_FLAGS,
  parseTraceparent,
  TRACEPARENT_LENGTH,
  type TraceParent,
} from './traceparent.js';
export type { TracingOptions } from './tracer-options.js';
export {
  DEFAULT_TRACESTATE_MAX_LENGTH,
  formatTracestate,
  parseTracestate,
  TRACESTATE_LARGE_ENTRY,
  TraceState,
} from './tracestate.js';
export {
  isValidTracestateKey,
  isValidTracestateValue,
  MAX_KEY_LENGTH,
  MAX_MEMBERS,
  MAX_VALUE_LENGTH,
} from './tracestate-grammar.js';
