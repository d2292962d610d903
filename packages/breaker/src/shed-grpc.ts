// Load shedding for @grpc/grpc-js server handlers, written against the shapes grpc-js passes to
// handlers (no runtime import: this package has no dependencies).

import {
  type CallOutcome,
  checkLimiter,
  resolveShedOptions,
  type SheddingLimiter,
  type ShedOptions,
  settlePermit,
} from './shed-options.js';
import * as check from './validate.js';

/** gRPC status codes used here (grpc-js `status`). */
const OK = 0;
const DEADLINE_EXCEEDED = 4;
const RESOURCE_EXHAUSTED = 8;
const UNAVAILABLE = 14;

/** The part of grpc-js `Metadata` used here. */
export interface GrpcMetadataLike {
  set(key: string, value: string): void;
}

/** The part of a grpc-js server call (`ServerUnaryCall`, `ServerWritableStream`) used here. */
export interface GrpcServerCallLike {
  readonly metadata: GrpcMetadataLike;
  on(event: 'cancelled', listener: () => void): unknown;
}

/** The part of a grpc-js `ServerWritableStream` used here. */
export interface GrpcServerStreamLike extends GrpcServerCallLike {
  on(event: 'cancelled' | 'finish', listener: () => void): unknown;
  on(event: 'error', listener: (error: unknown) => void): unknown;
  emit(event: 'error', error: unknown): boolean;
}

/** grpc-js `ServerErrorResponse`/`ServerStatusResponse`, structurally. */
export interface GrpcStatusLike {
  code?: number;
  details?: string;
  metadata?: GrpcMetadataLike;
}

export interface GrpcShedOptions extends ShedOptions {
  /**
   * How a call that ended with a status code is reported (default: DEADLINE_EXCEEDED,
   * RESOURCE_EXHAUSTED and UNAVAILABLE are drops, any other code — OK or an application error —
   * a success with its RTT). Cancelled calls are always ignored, as in Netflix's interceptor.
   */
  classify?: (code: number) => CallOutcome;
  /** Details string of the RESOURCE_EXHAUSTED status (default `'concurrency limit reached'`). */
  details?: string;
  /** Makes the trailing metadata of a shed call (default: a new instance of the class of the call's own metadata, i.e. grpc-js `Metadata`). */
  createMetadata?: (call: GrpcServerCallLike) => GrpcMetadataLike;
}

interface Resolved {
  readonly retryAfterMs: number;
  readonly clock: { now(): number };
  readonly classify: (code: number) => CallOutcome;
  readonly details: string;
  readonly createMetadata: (call: GrpcServerCallLike) => GrpcMetadataLike;
}

function defaultClassify(code: number): CallOutcome {
  return code === DEADLINE_EXCEEDED || code === RESOURCE_EXHAUSTED || code === UNAVAILABLE
    ? 'dropped'
    : 'success';
}

// The call's request metadata is a grpc-js Metadata from the same grpc-js copy that will
// serialise our trailers, so its constructor is the right class to build them with.
function defaultCreateMetadata(call: GrpcServerCallLike): GrpcMetadataLike {
  const Ctor = (call.metadata as object).constructor as new () => GrpcMetadataLike;
  return new Ctor();
}

function resolve(limiter: unknown, options: GrpcShedOptions): Resolved {
  checkLimiter(limiter);
  const { retryAfterMs, clock } = resolveShedOptions(options);
  const details = options.details ?? 'concurrency limit reached';
  if (typeof details !== 'string') throw new TypeError(`details must be a string, got ${typeof details}`);
  return {
    retryAfterMs,
    clock,
    details,
    classify: options.classify === undefined ? defaultClassify : check.func('classify', options.classify),
    createMetadata:
      options.createMetadata === undefined
        ? defaultCreateMetadata
        : check.func('createMetadata', options.createMetadata),
  };
}

function exhausted(o: Resolved, call: GrpcServerCallLike): GrpcStatusLike {
  const metadata = o.createMetadata(call);
  metadata.set('grpc-retry-pushback-ms', String(Math.round(o.retryAfterMs)));
  return { code: RESOURCE_EXHAUSTED, details: o.details, metadata };
}

function codeOf(error: unknown): number {
  if (error === null || error === undefined) return OK;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'number' && Number.isInteger(code) ? code : 2; // UNKNOWN, as grpc-js maps it
}

/**
 * Wraps a unary handler: over the limit the call ends at once with RESOURCE_EXHAUSTED and a
 * `grpc-retry-pushback-ms` trailer (the handler is not called); otherwise the permit is held
 * until the handler calls back (RTT = handler start → callback) or the call is cancelled.
 */
export function shedUnary<
  Call extends GrpcServerCallLike,
  Callback extends (error: never, ...rest: never[]) => void,
>(
  limiter: SheddingLimiter,
  handler: (call: Call, callback: Callback) => void,
  options: GrpcShedOptions = {},
): (call: Call, callback: Callback) => void {
  const o = resolve(limiter, options);
  check.func('handler', handler);
  return (call, callback) => {
    const cb = callback as unknown as (error: unknown, ...rest: unknown[]) => void;
    const permit = limiter.tryAcquire();
    if (permit === undefined) {
      cb(exhausted(o, call));
      return;
    }
    const start = o.clock.now();
    call.on('cancelled', () => permit.ignore());
    const wrapped = (error: unknown, ...rest: unknown[]): void => {
      settlePermit(permit, o.classify(codeOf(error)), o.clock.now() - start);
      cb(error, ...rest);
    };
    handler(call, wrapped as unknown as Callback);
  };
}

/**
 * Wraps a server-streaming handler: over the limit the stream ends at once with
 * RESOURCE_EXHAUSTED and a `grpc-retry-pushback-ms` trailer; otherwise the permit is held until
 * the stream finishes (RTT = handler start → last message and status sent) or is cancelled.
 */
export function shedServerStreaming<Call extends GrpcServerStreamLike>(
  limiter: SheddingLimiter,
  handler: (call: Call) => void,
  options: GrpcShedOptions = {},
): (call: Call) => void {
  const o = resolve(limiter, options);
  check.func('handler', handler);
  return (call) => {
    const permit = limiter.tryAcquire();
    if (permit === undefined) {
      call.emit('error', exhausted(o, call)); // grpc-js ends the stream with this status
      return;
    }
    const start = o.clock.now();
    let code = OK;
    call.on('error', (error: unknown) => {
      code = codeOf(error);
    });
    call.on('cancelled', () => permit.ignore());
    call.on('finish', () => settlePermit(permit, o.classify(code), o.clock.now() - start));
    handler(call);
  };
}
