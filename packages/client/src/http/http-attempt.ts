// One attempt of a call: the handler undici's Pool drives for one physical request. It forwards
// every event to its call, which decides whether the user's handler sees it.
import type { Duplex } from 'node:stream';
import type { Permit } from '@breakwater/breaker';
import type { EndpointSlot } from '../core/endpoint-slot.js';
import type { HttpCall } from './http-call.js';
import type { LazyPool } from './lazy-pool.js';
import type { Abort, LegacyHandler } from './legacy-handler.js';

export class HttpAttempt implements LegacyHandler {
  readonly call: HttpCall;
  readonly slot: EndpointSlot<LazyPool>;
  readonly permit: Permit;
  readonly start: number;
  /** 1-based attempt number within the call. */
  readonly n: number;
  readonly hedge: boolean;
  /** Clock time by which response headers must arrive (Infinity = no per-try timeout). */
  readonly perTryAt: number;
  abortFn: Abort | undefined;
  /** Set when we cancelled this attempt (per-try timeout, hedge lost, deadline, caller abort). */
  cancelReason: Error | undefined;
  /** Headers seen. */
  headersAt = -1;
  status = 0;
  /** The response is being read to the end and thrown away, then the call retries. */
  discarding = false;
  retryDelay = 0;
  /** Outcome recorded (breaker, balancer, metrics) already. */
  recorded = false;
  /** Spans, when recording: the attempt span. */
  span: { end(o: { statusCode?: number; error?: unknown }): void } | undefined;
  /** Intrusive list of the call's attempts in flight. */
  next: HttpAttempt | undefined;
  prev: HttpAttempt | undefined;

  constructor(
    call: HttpCall,
    slot: EndpointSlot<LazyPool>,
    permit: Permit,
    start: number,
    n: number,
    hedge: boolean,
    perTryAt: number,
  ) {
    this.call = call;
    this.slot = slot;
    this.permit = permit;
    this.start = start;
    this.n = n;
    this.hedge = hedge;
    this.perTryAt = perTryAt;
  }

  /** Aborts the request with `reason` (now, or as soon as undici hands us the abort function). */
  cancel(reason: Error): void {
    if (this.cancelReason !== undefined) return;
    this.cancelReason = reason;
    this.abortFn?.(reason);
  }

  onConnect(abort: Abort): void {
    this.abortFn = abort;
    if (this.cancelReason !== undefined) abort(this.cancelReason);
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean {
    return this.call.onAttemptHeaders(this, statusCode, rawHeaders, resume, statusText);
  }

  onData(chunk: Buffer): boolean {
    if (this.discarding) return true;
    return this.call.onAttemptData(this, chunk);
  }

  onComplete(trailers: Buffer[] | string[] | null): void {
    this.call.onAttemptComplete(this, trailers);
  }

  onError(err: Error): void {
    this.call.onAttemptError(this, err);
  }

  onUpgrade(statusCode: number, rawHeaders: Buffer[] | string[] | null, socket: Duplex): void {
    this.call.onAttemptUpgrade(this, statusCode, rawHeaders, socket);
  }

  onBodySent(chunkSize: number, totalBytesSent: number): void {
    this.call.h.onBodySent?.(chunkSize, totalBytesSent);
  }

  onRequestSent(): void {
    this.call.h.onRequestSent?.();
  }
}
