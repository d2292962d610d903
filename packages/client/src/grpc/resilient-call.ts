// One logical unary or server-streaming call: admission (service breaker, bulkhead), the retry
// loop (retry budget, backoff or `grpc-retry-pushback-ms`, never past the deadline, preferring an
// endpoint not yet tried), one grpc-js call per attempt on the picked endpoint's channel with the
// deadline and a fresh traceparent, and outcome recording. Subclasses run the attempt and deliver.
import { isBrokenCircuitError, type Permit } from '@breakwater/breaker';
import { type BackoffIterator, classifyGrpcError } from '@breakwater/retry';
import {
  activeContext,
  formatTracestate,
  type GrpcAttempt,
  type GrpcCall,
  KNOWN_FLAGS,
} from '@breakwater/tracing';
import { type CallOptions, type Client, Metadata, type ServiceError, status } from '@grpc/grpc-js';
import { isSpanContextValid, trace } from '@opentelemetry/api';
import { channels } from '../core/channels.js';
import type { EndpointSlot } from '../core/endpoint-slot.js';
import { immediateRefusal } from '../core/guard-rejection.js';
import type { CallOutcome } from '../core/metrics.js';
import { recordAttempt, settleCall } from '../core/record.js';
import type { TriedSet } from '../core/service-state.js';
import { type CallReport, ClientClosedError, DeadlineExceededError, NoEndpointsError } from '../errors.js';
import { attemptOutcome, callOutcome } from './classify.js';
import type { GrpcContext, Sleeper } from './grpc-context.js';
import { serviceError } from './grpc-error.js';
import type { GrpcEndpoint } from './grpc-transport.js';
import type { MethodInfo } from './method-info.js';

const PENDING = 0;
/** A message reached the caller: no more retries. */
const COMMITTED = 1;
const DONE = 2;

export abstract class ResilientCall implements TriedSet<GrpcEndpoint>, Sleeper {
  readonly ctx: GrpcContext;
  readonly method: MethodInfo;
  readonly #metadata: Metadata | undefined;
  /** The caller's call options. */
  readonly options: CallOptions | undefined;
  readonly start: number;
  deadlineAt: number;
  state = PENDING;
  attempts = 0;
  #first: EndpointSlot<GrpcEndpoint> | undefined;
  #tried: EndpointSlot<GrpcEndpoint>[] | undefined;
  #span: GrpcCall | undefined;
  #tpPrefix: string | undefined;
  #tpSuffix = '';
  #tracestate: string | undefined;
  #servicePermit: Permit | undefined;
  #bulkheadPermit: Permit | undefined;
  #queue: AbortController | undefined;
  #backoff: BackoffIterator | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  /** The caller cancelled. */
  cancelled = false;
  // The attempt in flight.
  #slot: EndpointSlot<GrpcEndpoint> | undefined;
  #permit: Permit | undefined;
  #attemptStart = 0;
  #attemptSpan: GrpcAttempt | undefined;
  #perTry = false;

  constructor(
    ctx: GrpcContext,
    method: MethodInfo,
    metadata: Metadata | undefined,
    options: CallOptions | undefined,
  ) {
    this.ctx = ctx;
    this.method = method;
    this.#metadata = metadata;
    this.options = options;
    const now = ctx.clock.now();
    this.start = now;
    let deadlineAt = now + method.plan.timeoutMs;
    const d = options?.deadline;
    if (d !== undefined && d !== Number.POSITIVE_INFINITY) {
      // The caller's own deadline (wall clock) moved onto our monotonic clock.
      const callerAt = now + ((d instanceof Date ? d.getTime() : d) - Date.now());
      if (callerAt < deadlineAt) deadlineAt = callerAt;
    }
    this.deadlineAt = deadlineAt;
  }

  /** Starts the transport call of one attempt on `client`; `deadline` is wall-clock ms (Infinity = none). */
  protected abstract send(client: Client, metadata: Metadata, deadline: number): void;
  /** Cancels the transport call in flight. */
  protected abstract cancelAttempt(): void;
  /** Hands the final error to the caller. */
  protected abstract deliverError(err: ServiceError): void;

  get triedCount(): number {
    return this.attempts;
  }

  hasTried(slot: EndpointSlot<GrpcEndpoint>): boolean {
    return this.#first === slot || this.#tried?.includes(slot) === true;
  }

  get peer(): string {
    return this.#slot?.transport.address ?? '';
  }

  #report(): CallReport {
    const endpoints: string[] = [];
    if (this.#first !== undefined) endpoints.push(this.#first.id);
    if (this.#tried !== undefined) for (const s of this.#tried) endpoints.push(s.id);
    return Object.freeze({
      service: this.ctx.svc.name,
      attempts: this.attempts,
      endpoints: Object.freeze(endpoints),
      timeoutMs: this.method.plan.timeoutMs,
      elapsedMs: this.ctx.clock.now() - this.start,
    });
  }

  // ---- admission -----------------------------------------------------------------------------

  begin(): void {
    const ctx = this.ctx;
    const svc = ctx.svc;
    if (ctx.closed) {
      this.#reject(new ClientClosedError(svc.name));
      return;
    }
    const tracing = ctx.tracing;
    if (tracing !== undefined) {
      if (ctx.noSdk(this.start)) {
        // No OpenTelemetry SDK: only the ids travel, a new span id per attempt.
        const sc = trace.getSpanContext(activeContext());
        if (sc !== undefined && isSpanContextValid(sc)) {
          this.#tpPrefix = `00-${sc.traceId}-`;
          this.#tpSuffix = `-0${sc.traceFlags & KNOWN_FLAGS}`;
          const ts = sc.traceState === undefined ? '' : formatTracestate(sc.traceState);
          this.#tracestate = ts === '' ? undefined : ts;
        } else {
          this.#tpPrefix = `00-${ctx.ids.traceId()}-`;
          this.#tpSuffix = '-02';
        }
      } else {
        this.#span = tracing.startGrpcCall({
          service: this.method.rpcService,
          method: this.method.rpcMethod,
        });
      }
    }
    if (channels.requestStart.hasSubscribers) {
      channels.requestStart.publish({ service: svc.name, method: 'POST', path: this.method.path });
    }
    if (!svc.ready) {
      svc.start();
      if (!svc.ready) {
        svc.whenReady(() => this.#admit());
        return;
      }
    }
    this.#admit();
  }

  #admit(): void {
    if (this.state === DONE) return;
    const svc = this.ctx.svc;
    if (this.ctx.closed) {
      this.#reject(new ClientClosedError(svc.name));
      return;
    }
    const breaker = svc.breaker;
    if (breaker !== undefined) {
      const permit = breaker.tryAcquire();
      if (permit === undefined) {
        this.#reject(breaker.rejection());
        return;
      }
      this.#servicePermit = permit;
    }
    const bulkhead = svc.bulkhead;
    if (bulkhead !== undefined) {
      const permit = bulkhead.tryAcquire();
      if (permit === undefined) {
        const refusal = immediateRefusal(bulkhead);
        if (refusal !== undefined) {
          this.#reject(refusal);
          return;
        }
        const ac = new AbortController();
        this.#queue = ac;
        bulkhead.acquire(ac.signal).then(
          (p) => {
            this.#queue = undefined;
            if (this.state === DONE) p.ignore();
            else {
              this.#bulkheadPermit = p;
              this.#go();
            }
          },
          (err: unknown) => {
            this.#queue = undefined;
            if (this.state !== DONE) this.#reject(err);
          },
        );
        return;
      }
      this.#bulkheadPermit = permit;
    }
    this.#go();
  }

  #go(): void {
    this.ctx.svc.budget?.deposit();
    this.#startAttempt(this.ctx.clock.now());
  }

  // ---- attempts ------------------------------------------------------------------------------

  #startAttempt(now: number): void {
    const ctx = this.ctx;
    const svc = ctx.svc;
    if (now >= this.deadlineAt) {
      this.#finish(
        'deadline',
        serviceError(
          status.DEADLINE_EXCEEDED,
          'Deadline exceeded (Breakwater)',
          new DeadlineExceededError(this.#report(), this.#lastError),
        ),
      );
      return;
    }
    svc.maybeEvaluate(now);
    const slot = svc.pick(this.attempts === 0 ? undefined : this);
    if (slot === undefined) {
      const last = this.#lastError;
      if (last !== undefined) {
        this.#finish(callOutcome(last.code, false), last);
        return;
      }
      const cause = svc.failCause;
      const bw = isBrokenCircuitError(cause)
        ? cause
        : new NoEndpointsError(svc.failReason, this.#report(), cause);
      this.#finish('error', serviceError(status.UNAVAILABLE, (bw as Error).message, bw));
      return;
    }
    const n = ++this.attempts;
    if (this.#first === undefined) this.#first = slot;
    else if (this.#tried === undefined) this.#tried = [slot];
    else this.#tried.push(slot);
    this.#slot = slot;
    this.#permit = svc.permit;
    this.#attemptStart = now;
    slot.handle.start();
    slot.transport.inFlight++;
    const md = this.#metadata === undefined ? new Metadata() : this.#metadata.clone();
    if (this.#tpPrefix !== undefined) {
      md.set('traceparent', this.#tpPrefix + ctx.ids.spanId() + this.#tpSuffix);
      if (this.#tracestate !== undefined) md.set('tracestate', this.#tracestate);
    } else if (this.#span !== undefined) {
      const as = this.#span.startAttempt({
        serverAddress: slot.endpoint.host,
        serverPort: slot.endpoint.port,
      });
      this.#attemptSpan = as;
      md.set('traceparent', as.traceparent);
      if (as.tracestate !== undefined) md.set('tracestate', as.tracestate);
    }
    const plan = this.method.plan;
    let at = this.deadlineAt;
    this.#perTry = false;
    if (now + plan.perTryTimeoutMs < at) {
      at = now + plan.perTryTimeoutMs;
      this.#perTry = true;
    }
    // grpc-js takes a wall-clock deadline and sends the remaining time as grpc-timeout.
    const deadline = at === Number.POSITIVE_INFINITY ? at : Date.now() + (at - now);
    if (channels.attemptStart.hasSubscribers) {
      channels.attemptStart.publish({ service: svc.name, endpoint: slot.id, attempt: n, hedge: false });
    }
    this.send(slot.transport.client, md, deadline);
  }

  #lastError: ServiceError | undefined;

  /** The attempt in flight ended with `code` (`err` unless OK); `committed` once a message was delivered. */
  protected attemptEnded(code: number, err: ServiceError | undefined): void {
    const slot = this.#slot;
    if (slot === undefined) return;
    this.#slot = undefined;
    const ctx = this.ctx;
    const now = ctx.clock.now();
    const latency = now - this.#attemptStart;
    // DEADLINE_EXCEEDED from the call's own deadline (not the per-try one) is the call's end, not
    // the endpoint's fault, as for HTTP.
    const outcome = attemptOutcome(code, this.cancelled || (code === 4 && !this.#perTry));
    recordAttempt(ctx.svc.name, slot, this.#permit!, this.attempts, latency, outcome, code, err);
    this.#attemptSpan?.end({ statusCode: code, error: err });
    this.#attemptSpan = undefined;
    slot.transport.release();
    if (this.state === DONE) return;
    if (err === undefined) {
      this.#finish('success', undefined);
      return;
    }
    this.#lastError = err;
    if (this.cancelled || this.state === COMMITTED) {
      this.#finish(callOutcome(code, this.cancelled), err);
      return;
    }
    const delay = this.#retryDelay(err, now);
    if (delay < 0) {
      this.#finish(callOutcome(code, false), err);
      return;
    }
    this.#scheduleRetry(delay);
  }

  /** The delay before a retry, or -1 when the call must answer now. */
  #retryDelay(err: ServiceError, now: number): number {
    const plan = this.method.plan;
    if (this.attempts >= plan.maxAttempts || this.ctx.closed || plan.codes.length === 0) return -1;
    let decision: boolean | number;
    if (err.code === status.DEADLINE_EXCEEDED) decision = this.#perTry && plan.idempotent;
    else decision = classifyGrpcError(err, plan.codes === undefined ? {} : { codes: plan.codes });
    if (decision === false) return -1;
    if (decision === true) {
      this.#backoff ??= plan.backoff.start();
      decision = this.#backoff.next();
    }
    if (now + decision >= this.deadlineAt) return -1;
    const svc = this.ctx.svc;
    if (svc.budget !== undefined && !svc.budget.tryWithdraw()) {
      svc.metrics?.budgetExhausted.inc();
      if (channels.budgetExhausted.hasSubscribers) channels.budgetExhausted.publish({ service: svc.name });
      return -1;
    }
    svc.metrics?.retries.inc();
    if (channels.retry.hasSubscribers) {
      channels.retry.publish({
        service: svc.name,
        attempt: this.attempts,
        delayMs: decision,
        statusCode: err.code,
        error: err,
      });
    }
    return decision;
  }

  #scheduleRetry(delay: number): void {
    if (delay <= 0) {
      this.#startAttempt(this.ctx.clock.now());
      return;
    }
    this.ctx.sleeping.add(this);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.ctx.sleeping.delete(this);
      if (this.state === PENDING) this.#startAttempt(this.ctx.clock.now());
    }, delay);
  }

  /** A message reached the caller: the call is committed to this attempt. */
  protected commit(): void {
    if (this.state === PENDING) this.state = COMMITTED;
  }

  // ---- ending --------------------------------------------------------------------------------

  /** The caller cancelled. */
  cancel(): void {
    if (this.state === DONE || this.cancelled) return;
    this.cancelled = true;
    if (this.#slot !== undefined) {
      this.cancelAttempt(); // grpc-js reports CANCELLED through attemptEnded
      return;
    }
    this.#finish('cancelled', serviceError(status.CANCELLED, 'Cancelled on client'));
  }

  /** The client is closing: a call waiting to retry gives up now. */
  closeIfIdle(): void {
    if (this.state !== DONE && this.#slot === undefined)
      this.#reject(new ClientClosedError(this.ctx.svc.name));
  }

  #reject(err: unknown): void {
    const e = err as Error;
    this.#finish('rejected', serviceError(status.UNAVAILABLE, e.message, e));
  }

  #finish(outcome: CallOutcome, err: ServiceError | undefined): void {
    if (this.state === DONE) return;
    this.state = DONE;
    if (this.#retryTimer !== undefined) {
      clearTimeout(this.#retryTimer);
      this.#retryTimer = undefined;
      this.ctx.sleeping.delete(this);
    }
    this.#queue?.abort();
    const ctx = this.ctx;
    const svc = ctx.svc;
    const duration = ctx.clock.now() - this.start;
    settleCall(svc.metrics, this.#servicePermit, this.#bulkheadPermit, outcome, duration);
    const code = err === undefined ? 0 : err.code;
    this.#span?.end({ statusCode: code, error: err });
    if (channels.requestEnd.hasSubscribers) {
      channels.requestEnd.publish({
        service: svc.name,
        method: 'POST',
        path: this.method.path,
        outcome,
        statusCode: code,
        error: err,
        attempts: this.attempts,
        durationMs: duration,
      });
    }
    if (err !== undefined) this.deliverError(err);
  }
}
