// Client-streaming and bidi calls: discovery, balancing, breakers and the bulkhead, no retries
// (the messages the caller writes are not kept). The caller holds grpc-js's own stream.

import { Duplex, Writable } from 'node:stream';
import { BulkheadFullError, isBrokenCircuitError, type Permit } from '@breakwater/breaker';
import {
  type CallOptions,
  type ClientDuplexStream,
  type ClientWritableStream,
  Metadata,
  type ServiceError,
  type StatusObject,
  status,
} from '@grpc/grpc-js';
import { channels } from '../core/channels.js';
import { immediateRefusal } from '../core/guard-rejection.js';
import { recordAttempt, settleCall } from '../core/record.js';
import { ClientClosedError, NoEndpointsError } from '../errors.js';
import { attemptOutcome, callOutcome } from './classify.js';
import type { GrpcContext } from './grpc-context.js';
import { serviceError } from './grpc-error.js';
import type { MethodInfo } from './method-info.js';
import { PendingStream, type RealCall } from './pending-stream.js';
import type { UnaryCallback } from './unary-call.js';

type Surface = ClientWritableStream<unknown> | ClientDuplexStream<unknown, unknown>;

function surfaceMethods(o: object): void {
  Object.assign(o, { cancel() {}, getPeer: () => '', getAuthContext: () => null });
}

/** A stream that fails at once with `err`, for calls refused before any endpoint was reached. */
function failedStream(err: ServiceError, callback: UnaryCallback | undefined): Surface {
  const st = { code: err.code, details: err.details, metadata: err.metadata };
  if (callback !== undefined) {
    const w = new Writable({ objectMode: true, write: (_c, _e, cb) => cb() });
    surfaceMethods(w);
    process.nextTick(() => {
      callback(err);
      w.emit('status', st);
    });
    return w as unknown as Surface;
  }
  const d = new Duplex({ objectMode: true, read() {}, write: (_c, _e, cb) => cb() });
  surfaceMethods(d);
  process.nextTick(() => {
    d.destroy(err);
    process.nextTick(() => d.emit('status', st));
  });
  return d as unknown as Surface;
}

/** Starts a client-streaming (with `callback`) or bidi call; waits for discovery's first answer. */
export function streamingCall(
  ctx: GrpcContext,
  method: MethodInfo,
  metadata: Metadata | undefined,
  options: CallOptions | undefined,
  callback: UnaryCallback | undefined,
): Surface {
  const svc = ctx.svc;
  if (!svc.ready) svc.start();
  if (svc.ready || ctx.closed) return startStreamingCall(ctx, method, metadata, options, callback);
  const pending = new PendingStream(callback === undefined);
  svc.whenReady(() =>
    pending.attach(startStreamingCall(ctx, method, metadata, options, callback) as unknown as RealCall),
  );
  return pending as unknown as Surface;
}

function startStreamingCall(
  ctx: GrpcContext,
  method: MethodInfo,
  metadata: Metadata | undefined,
  options: CallOptions | undefined,
  callback: UnaryCallback | undefined,
): Surface {
  const svc = ctx.svc;
  const start = ctx.clock.now();
  const reject = (e: Error, outcome: 'rejected' | 'error', sp?: Permit, bp?: Permit): Surface => {
    settleCall(svc.metrics, sp, bp, outcome, ctx.clock.now() - start);
    return failedStream(serviceError(status.UNAVAILABLE, e.message, e), callback);
  };
  if (ctx.closed) return reject(new ClientClosedError(svc.name), 'rejected');
  const servicePermit = svc.breaker?.tryAcquire();
  if (svc.breaker !== undefined && servicePermit === undefined) {
    return reject(svc.breaker.rejection(), 'rejected');
  }
  let bulkheadPermit: Permit | undefined;
  const bulkhead = svc.bulkhead;
  if (bulkhead !== undefined) {
    bulkheadPermit = bulkhead.tryAcquire();
    if (bulkheadPermit === undefined) {
      // Streaming calls never queue: a full bulkhead refuses them even when it has a queue.
      const full = immediateRefusal(bulkhead) ?? new BulkheadFullError('full', bulkhead.inFlight, 0);
      return reject(full, 'rejected', servicePermit);
    }
  }
  const now = ctx.clock.now();
  svc.maybeEvaluate(now);
  const slot = svc.pick(undefined);
  if (slot === undefined) {
    const cause = svc.failCause;
    const e = isBrokenCircuitError(cause)
      ? cause
      : new NoEndpointsError(svc.failReason, report(svc.name, start, ctx), cause);
    return reject(e as Error, 'error', servicePermit, bulkheadPermit);
  }
  const permit = svc.permit;
  slot.handle.start();
  slot.transport.inFlight++;
  const md = metadata === undefined ? new Metadata() : metadata.clone();
  const span = ctx.tracing?.startGrpcCall({ service: method.rpcService, method: method.rpcMethod });
  const attemptSpan = span?.startAttempt({
    serverAddress: slot.endpoint.host,
    serverPort: slot.endpoint.port,
  });
  if (attemptSpan !== undefined) {
    md.set('traceparent', attemptSpan.traceparent);
    if (attemptSpan.tracestate !== undefined) md.set('tracestate', attemptSpan.tracestate);
  }
  let deadlineAt =
    method.plan.timeoutMs === Number.POSITIVE_INFINITY ? undefined : Date.now() + method.plan.timeoutMs;
  const d = options?.deadline;
  if (d !== undefined) {
    const callerAt = d instanceof Date ? d.getTime() : d;
    if (deadlineAt === undefined || callerAt < deadlineAt) deadlineAt = callerAt;
  }
  const opts: CallOptions =
    options === undefined ? { deadline: deadlineAt } : { ...options, deadline: deadlineAt };
  if (channels.attemptStart.hasSubscribers) {
    channels.attemptStart.publish({ service: svc.name, endpoint: slot.id, attempt: 1, hedge: false });
  }
  const client = slot.transport.client;
  const call: Surface =
    callback === undefined
      ? client.makeBidiStreamRequest(method.path, method.serialize, method.deserialize, md, opts)
      : client.makeClientStreamRequest(method.path, method.serialize, method.deserialize, md, opts, callback);
  let cancelled = false;
  const cancel = call.cancel.bind(call);
  call.cancel = () => {
    cancelled = true;
    cancel();
  };
  call.on('status', (s: StatusObject) => {
    const end = ctx.clock.now();
    const err = s.code === 0 ? undefined : s;
    recordAttempt(svc.name, slot, permit, 1, end - now, attemptOutcome(s.code, cancelled), s.code, err);
    slot.transport.release();
    settleCall(svc.metrics, servicePermit, bulkheadPermit, callOutcome(s.code, cancelled), end - start);
    attemptSpan?.end({ statusCode: s.code });
    span?.end({ statusCode: s.code });
  });
  return call;
}

function report(service: string, start: number, ctx: GrpcContext) {
  return Object.freeze({
    service,
    attempts: 0,
    endpoints: Object.freeze([]),
    timeoutMs: Number.POSITIVE_INFINITY,
    elapsedMs: ctx.clock.now() - start,
  });
}
