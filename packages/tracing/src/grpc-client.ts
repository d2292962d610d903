// Client spans for gRPC: one INTERNAL span per logical call, one CLIENT span per attempt.
// Attribute generation is chosen by `RpcConventions` (see semconv.ts): 'legacy' (default, as
// OpenTelemetry asks existing instrumentations to keep until users opt in), 'stable', or 'dup'.
import { type Attributes, type Context, SpanKind } from '@opentelemetry/api';
import { TracedOperation } from './client-span.js';
import { activeContext } from './context-store.js';
import {
  ATTR_RPC_GRPC_STATUS_CODE,
  ATTR_RPC_METHOD,
  ATTR_RPC_RESPONSE_STATUS_CODE,
  ATTR_RPC_SERVICE,
  ATTR_RPC_SYSTEM,
  ATTR_RPC_SYSTEM_NAME,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  GRPC_STATUS_NAMES,
} from './semconv.js';
import { startSpanWithIds } from './start-span.js';
import type { ResolvedTracingOptions } from './tracer-options.js';

/**
 * Which RPC semantic conventions to emit:
 * - 'legacy': rpc.system=grpc, rpc.service, rpc.method (bare), rpc.grpc.status_code (int).
 * - 'stable': rpc.system.name=grpc, rpc.method ("pkg.Service/Method"), rpc.response.status_code ("OK").
 * - 'dup': both; rpc.method then holds the new, fully-qualified form (the two generations share the key).
 */
export type RpcConventions = 'legacy' | 'stable' | 'dup';

export interface GrpcCallInfo {
  /** Fully-qualified service, e.g. 'helloworld.Greeter'. */
  service: string;
  /** Method name, e.g. 'SayHello'. */
  method: string;
  /** Span name (default `"<service>/<method>"`). */
  name?: string;
  attributes?: Attributes;
}

export interface GrpcAttemptInfo {
  serverAddress?: string;
  serverPort?: number;
  attributes?: Attributes;
}

export interface GrpcOutcome {
  /** gRPC status code (0 = OK). */
  statusCode?: number;
  error?: unknown;
}

function rpcAttributes(service: string, method: string, conventions: RpcConventions): Attributes {
  const a: Attributes = {};
  if (conventions !== 'stable') {
    a[ATTR_RPC_SYSTEM] = 'grpc';
    a[ATTR_RPC_SERVICE] = service;
    a[ATTR_RPC_METHOD] = method;
  }
  if (conventions !== 'legacy') {
    a[ATTR_RPC_SYSTEM_NAME] = 'grpc';
    a[ATTR_RPC_METHOD] = `${service}/${method}`;
  }
  return a;
}

function statusAttributes(code: number, conventions: RpcConventions): Attributes {
  const a: Attributes = {};
  if (conventions !== 'stable') a[ATTR_RPC_GRPC_STATUS_CODE] = code;
  if (conventions !== 'legacy') a[ATTR_RPC_RESPONSE_STATUS_CODE] = GRPC_STATUS_NAMES[code] ?? String(code);
  return a;
}

/** Attributes, failure and error.type for an outcome; for gRPC clients every status but OK fails. */
function grpcResult(
  outcome: GrpcOutcome,
  conventions: RpcConventions,
): { attrs: Attributes; failed: boolean; type: string | undefined } {
  const code = outcome.statusCode;
  if (code === undefined) return { attrs: {}, failed: false, type: undefined };
  const failed = code !== 0;
  return {
    attrs: statusAttributes(code, conventions),
    failed,
    type: failed ? (GRPC_STATUS_NAMES[code] ?? String(code)) : undefined,
  };
}

/** One gRPC client attempt: a CLIENT span. */
export class GrpcAttempt extends TracedOperation {
  readonly #conventions: RpcConventions;

  /** @internal */
  constructor(call: GrpcCall, info: GrpcAttemptInfo, opts: ResolvedTracingOptions) {
    const attributes = rpcAttributes(call.service, call.method, call.conventions);
    if (info.serverAddress !== undefined) attributes[ATTR_SERVER_ADDRESS] = info.serverAddress;
    if (info.serverPort !== undefined) attributes[ATTR_SERVER_PORT] = info.serverPort;
    if (info.attributes !== undefined) Object.assign(attributes, info.attributes);
    super(
      startSpanWithIds(
        opts.tracer,
        opts.ids,
        call.spanName,
        { kind: SpanKind.CLIENT, attributes },
        call.context,
      ),
      call.context,
      opts,
    );
    this.#conventions = call.conventions;
  }

  /** Ends the attempt; a status other than OK (0) or an error marks it failed. */
  end(outcome: GrpcOutcome = {}): void {
    const r = grpcResult(outcome, this.#conventions);
    this.finish(r.attrs, outcome.error, r.failed, r.type);
  }
}

/** One logical gRPC call: an INTERNAL span, parent of one `GrpcAttempt` per try. */
export class GrpcCall extends TracedOperation {
  readonly service: string;
  readonly method: string;
  readonly spanName: string;
  readonly conventions: RpcConventions;
  #attempts = 0;

  /** @internal */
  constructor(
    info: GrpcCallInfo,
    parent: Context | undefined,
    conventions: RpcConventions,
    opts: ResolvedTracingOptions,
  ) {
    const attributes = rpcAttributes(info.service, info.method, conventions);
    if (info.attributes !== undefined) Object.assign(attributes, info.attributes);
    const spanName = info.name ?? `${info.service}/${info.method}`;
    const parentCtx = parent ?? activeContext();
    super(
      startSpanWithIds(opts.tracer, opts.ids, spanName, { kind: SpanKind.INTERNAL, attributes }, parentCtx),
      parentCtx,
      opts,
    );
    this.service = info.service;
    this.method = info.method;
    this.spanName = spanName;
    this.conventions = conventions;
  }

  get attempts(): number {
    return this.#attempts;
  }

  startAttempt(info: GrpcAttemptInfo = {}): GrpcAttempt {
    this.#attempts++;
    return new GrpcAttempt(this, info, this.opts);
  }

  end(outcome: GrpcOutcome = {}): void {
    const r = grpcResult(outcome, this.conventions);
    this.finish(r.attrs, outcome.error, r.failed, r.type);
  }
}
