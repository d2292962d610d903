// Entry point of the client helpers, used by @breakwater/client: options resolved once, then
// cheap per-call span creation.
import type { Context } from '@opentelemetry/api';
import { GrpcCall, type GrpcCallInfo, type RpcConventions } from './grpc-client.js';
import { HttpCall, type HttpCallInfo } from './http-client.js';
import { type ResolvedTracingOptions, resolveTracingOptions, type TracingOptions } from './tracer-options.js';

export interface ClientTracingOptions extends TracingOptions {
  /** RPC attribute generation for gRPC spans (default 'legacy'). */
  rpcConventions?: RpcConventions;
}

export interface ClientTracing {
  /** Starts the span of one logical HTTP call; `parent` defaults to the active context. */
  startHttpCall(info: HttpCallInfo, parent?: Context): HttpCall;
  /** Starts the span of one logical gRPC call; `parent` defaults to the active context. */
  startGrpcCall(info: GrpcCallInfo, parent?: Context): GrpcCall;
}

const CONVENTIONS: readonly RpcConventions[] = ['legacy', 'stable', 'dup'];

export function createClientTracing(options: ClientTracingOptions = {}): ClientTracing {
  const opts: ResolvedTracingOptions = resolveTracingOptions(options);
  const conventions = options.rpcConventions ?? 'legacy';
  if (!CONVENTIONS.includes(conventions)) {
    throw new RangeError(
      `rpcConventions must be one of ${CONVENTIONS.join(', ')}, got ${String(conventions)}`,
    );
  }
  return Object.freeze({
    startHttpCall: (info: HttpCallInfo, parent?: Context) => new HttpCall(info, parent, opts),
    startGrpcCall: (info: GrpcCallInfo, parent?: Context) => new GrpcCall(info, parent, conventions, opts),
  });
}
