// One logical HTTP call: the retry loop of DESIGN.md's pipeline, driven by undici handler events
// (the model is undici's RetryHandler): each attempt's status and headers are seen first; the
// response goes to the caller's handler, or its body is drained and the call retries elsewhere.
// One timer per call at most, re-armed lazily, covers the deadline, per-try timeouts, hedging
// and backoff sleeps.
import type { Duplex } from 'node:stream';
import { isBrokenCircuitError, type Permit } from '@breakwater/breaker';
import type { Outcome, PickRequest } from '@breakwater/loadbalance';
import {
  type BackoffIterator,
  CONNECT_PHASE_CODES,
  encodeDeadlineHeader,
  isIdempotentMethod,
  parseRetryAfter,
  RETRYABLE_NETWORK_CODES,
} from '@breakwater/retry';
import { activeContext, type HttpCall as CallSpan, formatTracestate, KNOWN_FLAGS } from '@breakwater/tracing';
import { isSpanContextValid, trace } from '@opentelemetry/api';
import type { Dispatcher } from 'undici';
import { channels } from '../core/channels.js';
import type { EndpointSlot } from '../core/endpoint-slot.js';
import { immediateRefusal } from '../core/guard-rejection.js';
import type { CallOutcome } from '../core/metrics.js';
import { recordAttempt, settleCall } from '../core/record.js';
import type { ServiceState, TriedSet } from '../core/service-state.js';
import {
  type CallReport,
  ClientClosedError,
  DeadlineExceededError,
  type GiveUpReason,
  HedgeLostError,
  NoEndpointsError,
  PerTryTimeoutError,
  RequestFailedError,
} from '../errors.js';
import type { CallPlan } from '../options.js';
import type { HttpCallContext } from './call-context.js';
import { HttpAttempt } from './http-attempt.js';
import type { LazyPool } from './lazy-pool.js';
import type { LegacyHandler } from './legacy-handler.js';
import { BODY_FACTORY, isReplayable, isStreamBody, TrackedBody } from './request-body.js';
import { attemptHeaders, type FlatHeaders, flattenHeaders, rawHeader } from './request-headers.js';

const PENDING = 0;
const DELIVERED = 1;
const DONE = 2;

// @breakwater/retry's classification, plus what only a client over several endpoints meets:
// ENOTFOUND before sending (another endpoint's host may resolve), and undici's CLOSED/DESTROYED
// after (a departed endpoint's pool closed under the attempt).
const CONNECT_PHASE: ReadonlySet<string> = new Set([...CONNECT_PHASE_CODES, 'ENOTFOUND']);
const AFTER_SEND: ReadonlySet<string> = new Set([
  ...RETRYABLE_NETWORK_CODES.filter((c) => !CONNECT_PHASE.has(c)),
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
]);

function errorCode(err: unknown): string | undefined {
  let e = err;
  for (let i = 0; i < 3 && typeof e === 'object' && e !== null; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Dispatch options undici 7's Request reads besides path/method/headers/body (rarely set). */
type ExtraOpts = Pick<
  Dispatcher.DispatchOptions,
  | 'query'
  | 'idempotent'
  | 'blocking'
  | 'upgrade'
  | 'headersTimeout'
  | 'bodyTimeout'
  | 'reset'
  | 'expectContinue'
> & { servername?: string | null; typeOfService?: number | null };

// Named property reads (inline-cached), not a keyed loop: this runs on every call.
function hasExtraOpts(o: ExtraOpts): boolean {
  return (
    o.query !== undefined ||
    o.idempotent !== undefined ||
    o.blocking !== undefined ||
    o.upgrade !== undefined ||
    o.headersTimeout !== undefined ||
    o.bodyTimeout !== undefined ||
    o.reset !== undefined ||
    o.expectContinue !== undefined ||
    o.servername !== undefined ||
    o.typeOfService !== undefined
  );
}

function copyExtraOpts(from: ExtraOpts, to: ExtraOpts): void {
  if (from.query !== undefined) to.query = from.query;
  if (from.idempotent !== undefined) to.idempotent = from.idempotent;
  if (from.blocking !== undefined) to.blocking = from.blocking;
  if (from.upgrade !== undefined) to.upgrade = from.upgrade;
  if (from.headersTimeout !== undefined) to.headersTimeout = from.headersTimeout;
  if (from.bodyTimeout !== undefined) to.bodyTimeout = from.bodyTimeout;
  if (from.reset !== undefined) to.reset = from.reset;
  if (from.expectContinue !== undefined) to.expectContinue = from.expectContinue;
  if (from.servername !== undefined) to.servername = from.servername;
  if (from.typeOfService !== undefined) to.typeOfService = from.typeOfService;
}

// Null prototype: a method named `constructor` must not find Object.prototype's.
const IDEMPOTENT: Readonly<Record<string, boolean>> = Object.freeze(
  Object.assign(Object.create(null) as Record<string, boolean>, {
    GET: true,
    HEAD: true,
    OPTIONS: true,
    TRACE: true,
    PUT: true,
    DELETE: true,
  }),
);

export class HttpCall implements TriedSet<LazyPool> {
  readonly ctx: HttpCallContext;
  readonly svc: ServiceState<LazyPool>;
  readonly plan: CallPlan;
  readonly opts: Dispatcher.DispatchOptions;
  readonly h: LegacyHandler;
  readonly method: string;
  readonly start: number;
  readonly deadlineAt: number;
  readonly idempotent: boolean;
  readonly #headers: FlatHeaders;
  /** The affinity key of the first pick (services with `hashKey`); retries and hedges go elsewhere. */
  readonly #pickRequest: PickRequest | undefined;
  readonly #extraOpts: boolean;
  #body: unknown;
  readonly #bodyFactory: (() => unknown) | undefined;
  #state = PENDING;
  attempts = 0;
  /** Attempts in flight (intrusive list). */
  #live: HttpAttempt | undefined;
  #liveCount = 0;
  #winner: HttpAttempt | undefined;
  #first: EndpointSlot<LazyPool> | undefined;
  #tried: EndpointSlot<LazyPool>[] | undefined;
  /** Clock time of the next timed event (deadline, per-try timeout, retry, hedge); the client's ticker reads it. */
  timerAt = Number.POSITIVE_INFINITY;
  #retryAt = Number.POSITIVE_INFINITY;
  #hedgeAt = Number.POSITIVE_INFINITY;
  #backoff: BackoffIterator | undefined;
  #span: CallSpan | undefined;
  /** Traceparent prefix `00-<trace-id>-` and flags suffix, when spans are not recorded. */
  #tpPrefix: string | undefined;
  #tpSuffix = '';
  #tracestate: string | undefined;
  #servicePermit: Permit | undefined;
  #bulkheadPermit: Permit | undefined;
  #userAbort: Error | undefined;
  #lastError: unknown;
  /** Intrusive list of the client's live calls. */
  nextLive: HttpCall | undefined;
  prevLive: HttpCall | undefined;

  constructor(
    ctx: HttpCallContext,
    svc: ServiceState<LazyPool>,
    plan: CallPlan,
    opts: Dispatcher.DispatchOptions,
    h: LegacyHandler,
    now: number,
  ) {
    this.ctx = ctx;
    this.svc = svc;
    this.plan = plan;
    this.opts = opts;
    this.h = h;
    const method = opts.method;
    this.method = method;
    this.start = now;
    this.deadlineAt = now + plan.timeoutMs;
    this.idempotent = plan.idempotent ?? IDEMPOTENT[method] ?? isIdempotentMethod(method);
    this.#headers = flattenHeaders(opts.headers, ctx.tracing !== undefined, ctx.propagateDeadline);
    const hashHeader = svc.policy.hashHeader;
    let key: string | undefined;
    if (hashHeader !== undefined) key = rawHeader(this.#headers as (string | Buffer)[], hashHeader);
    this.#pickRequest = key === undefined ? undefined : { key };
    this.#extraOpts = hasExtraOpts(opts);
    const factory = (opts as { [BODY_FACTORY]?: () => unknown })[BODY_FACTORY];
    this.#bodyFactory = typeof factory === 'function' ? factory : undefined;
    const body = opts.body;
    this.#body = this.#bodyFactory === undefined && isStreamBody(body) ? new TrackedBody(body) : body;
  }

  get triedCount(): number {
    return this.attempts;
  }

  hasTried(slot: EndpointSlot<LazyPool>): boolean {
    if (this.#first === slot) return true;
    return this.#tried?.includes(slot) === true;
  }

  #report(): CallReport {
    const endpoints: string[] = [];
    if (this.#first !== undefined) endpoints.push(this.#first.id);
    if (this.#tried !== undefined) for (const s of this.#tried) endpoints.push(s.id);
    return Object.freeze({
      service: this.svc.name,
      attempts: this.attempts,
      endpoints: Object.freeze(endpoints),
      timeoutMs: this.plan.timeoutMs,
      elapsedMs: this.ctx.clock.now() - this.start,
    });
  }

  /** The user's abort function: the caller gave up. */
  readonly abort = (reason?: Error): void => {
    if (this.#state === DONE) return;
    const err = reason ?? new Error('The request was aborted');
    this.#userAbort = err;
    if (this.#state === DELIVERED) {
      this.#winner?.cancel(err);
      return;
    }
    this.#cancelLive(err);
    this.#fail(err, 'cancelled');
  };

  // ---- admission -----------------------------------------------------------------------------

  begin(): void {
    const h = this.h;
    h.onConnect?.(this.abort);
    if (this.#state === DONE) return; // aborted inside onConnect
    const svc = this.svc;
    if (this.ctx.closed) {
      this.#fail(new ClientClosedError(svc.name), 'rejected');
      return;
    }
    this.ctx.link(this);
    const tracing = this.ctx.tracing;
    if (tracing !== undefined) {
      if (this.ctx.noSdk(this.start)) {
        // No OpenTelemetry SDK: spans would be non-recording and never seen; only the ids travel.
        // Continue the active trace (or start one, random flag set) with a new span id per attempt.
        const sc = trace.getSpanContext(activeContext());
        if (sc !== undefined && isSpanContextValid(sc)) {
          this.#tpPrefix = `00-${sc.traceId}-`;
          this.#tpSuffix = `-0${sc.traceFlags & KNOWN_FLAGS}`;
          const ts = sc.traceState === undefined ? '' : formatTracestate(sc.traceState);
          this.#tracestate = ts === '' ? undefined : ts;
        } else {
          this.#tpPrefix = `00-${this.ctx.ids.traceId()}-`;
          this.#tpSuffix = '-02';
        }
      } else {
        const span = tracing.startHttpCall({ method: this.method, service: svc.name });
        this.#span = span;
        if (!span.span.isRecording()) {
          // No SDK (or sampled out): attempts need only a fresh span id, not a span object.
          const tp = span.traceparent;
          this.#tpPrefix = tp.slice(0, 36);
          this.#tpSuffix = tp.slice(52);
          this.#tracestate = span.tracestate;
        }
      }
    }
    if (channels.requestStart.hasSubscribers) {
      channels.requestStart.publish({ service: svc.name, method: this.method, path: this.opts.path });
    }
    if (this.deadlineAt !== Number.POSITIVE_INFINITY) this.#arm(this.deadlineAt);
    if (!svc.ready) {
      svc.start();
      if (!svc.ready) {
        svc.whenReady(() => this.#admit(this.ctx.clock.now()));
        return;
      }
    }
    this.#admit(this.start);
  }

  #admit(now: number): void {
    if (this.#state === DONE) return;
    const svc = this.svc;
    if (this.ctx.closed) {
      this.#fail(new ClientClosedError(svc.name), 'rejected');
      return;
    }
    const breaker = svc.breaker;
    if (breaker !== undefined) {
      const permit = breaker.tryAcquire();
      if (permit === undefined) {
        this.#fail(breaker.rejection(), 'rejected');
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
          this.#fail(refusal, 'rejected');
          return;
        }
        // Wait in the bulkhead's queue; the slow path may allocate (a signal so a caller abort
        // leaves the queue).
        const ac = new AbortController();
        const onAbort = (): void => ac.abort(this.#userAbort);
        this.#queueAbort = onAbort;
        bulkhead.acquire(ac.signal).then(
          (p) => {
            this.#queueAbort = undefined;
            if (this.#state === DONE) {
              p.ignore();
              return;
            }
            this.#bulkheadPermit = p;
            this.#go(this.ctx.clock.now());
          },
          (err: unknown) => {
            this.#queueAbort = undefined;
            this.#fail(err as Error, this.#userAbort === undefined ? 'rejected' : 'cancelled');
          },
        );
        return;
      }
      this.#bulkheadPermit = permit;
    }
    this.#go(now);
  }

  #queueAbort: (() => void) | undefined;

  #go(now: number): void {
    this.svc.budget?.deposit();
    this.#startAttempt(false, now);
  }

  // ---- attempts ------------------------------------------------------------------------------

  #startAttempt(hedge: boolean, now: number): void {
    const svc = this.svc;
    const ctx = this.ctx;
    if (now >= this.deadlineAt) {
      this.#deadline();
      return;
    }
    svc.maybeEvaluate(now);
    const slot = this.attempts === 0 ? svc.pick(undefined, this.#pickRequest) : svc.pick(this);
    if (slot === undefined) {
      // A hedge that finds no endpoint is simply not sent. Otherwise fail now: an empty snapshot or
      // every breaker open will not change within a backoff (Envoy answers 503 at once, too).
      if (hedge || this.#liveCount > 0) return;
      const cause = svc.failCause ?? this.#lastError;
      this.#fail(
        this.attempts === 0 && isBrokenCircuitError(cause)
          ? cause
          : new NoEndpointsError(svc.failReason, this.#report(), cause),
        'error',
      );
      return;
    }
    const permit = svc.permit;
    const n = ++this.attempts;
    if (this.#first === undefined) this.#first = slot;
    else if (this.#tried === undefined) this.#tried = [slot];
    else this.#tried.push(slot);
    const plan = this.plan;
    const perTryAt =
      plan.perTryTimeoutMs === Number.POSITIVE_INFINITY
        ? Number.POSITIVE_INFINITY
        : now + plan.perTryTimeoutMs;
    const a = new HttpAttempt(this, slot, permit, now, n, hedge, perTryAt);
    a.next = this.#live;
    if (this.#live !== undefined) this.#live.prev = a;
    this.#live = a;
    this.#liveCount++;
    slot.handle.start();
    // Headers: the call's own, plus traceparent (new parent-id per attempt) and the deadline.
    let tp: string | undefined;
    let ts: string | undefined;
    const span = this.#span;
    if (this.#tpPrefix !== undefined) {
      tp = this.#tpPrefix + ctx.ids.spanId() + this.#tpSuffix;
      ts = this.#tracestate;
    } else if (span !== undefined) {
      {
        const as = span.startAttempt({
          url: slot.origin + this.opts.path,
          serverAddress: slot.endpoint.host,
          serverPort: slot.endpoint.port,
        });
        a.span = as;
        tp = as.traceparent;
        ts = as.tracestate;
      }
    }
    const deadline =
      ctx.propagateDeadline && this.deadlineAt !== Number.POSITIVE_INFINITY
        ? encodeDeadlineHeader(this.deadlineAt - now)
        : undefined;
    const headers = attemptHeaders(this.#headers, tp, ts, deadline);
    let body = this.#body;
    if (this.#bodyFactory !== undefined && n > 1) body = this.#bodyFactory();
    if (perTryAt < this.timerAt) this.#arm(perTryAt);
    if (!hedge && this.idempotent && plan.maxHedged > 0 && this.#hedgeAt === Number.POSITIVE_INFINITY) {
      this.#hedgeAt = now + this.#hedgeDelay();
      if (this.#hedgeAt !== Number.POSITIVE_INFINITY) this.#arm(this.#hedgeAt);
    }
    if (channels.attemptStart.hasSubscribers) {
      channels.attemptStart.publish({ service: svc.name, endpoint: slot.id, attempt: n, hedge });
    }
    const o = this.opts;
    // The caller's options with this attempt's headers and body. A fixed shape for the common keys;
    // the rarer ones undici's Request reads are copied only when set.
    const attemptOpts = {
      path: o.path,
      method: o.method,
      headers: headers as string[],
      body: body as string | null | undefined,
    } as Dispatcher.DispatchOptions;
    if (this.#extraOpts) copyExtraOpts(o, attemptOpts);
    slot.transport.dispatch(attemptOpts, a);
  }

  #unlink(a: HttpAttempt): boolean {
    if (a.prev === undefined && this.#live !== a) return false;
    if (a.prev !== undefined) a.prev.next = a.next;
    else this.#live = a.next;
    if (a.next !== undefined) a.next.prev = a.prev;
    a.next = undefined;
    a.prev = undefined;
    this.#liveCount--;
    return true;
  }

  /** Records an attempt's outcome in breaker, balancer, outlier detector, metrics and events, once. */
  #record(a: HttpAttempt, outcome: Outcome, status: number | undefined, error: unknown): void {
    if (a.recorded) return;
    a.recorded = true;
    // Latency to the response headers, or to now. The balancer takes that time as its `now` too:
    // one clock read fewer per call; for a long streamed body its EWMA stamp lags a little.
    const at = a.headersAt >= 0 ? a.headersAt : this.ctx.clock.now();
    const latency = at - a.start;
    // Answers and cancellations (a lower bound: a slow loser still lifts the percentile, so the
    // delay does not drift down to the winners' latencies); fast failures would drag it down.
    if (outcome === 'success' || outcome === 'cancelled') this.svc.hedgeDelay?.record(latency);
    a.span?.end(error === undefined ? { statusCode: status } : { statusCode: status, error });
    recordAttempt(this.svc.name, a.slot, a.permit, a.n, latency, outcome, status, error, at);
  }

  onAttemptHeaders(a: HttpAttempt, status: number, raw: Buffer[], resume: () => void, text: string): boolean {
    if (status < 200 && status !== 101) return true; // informational: wait for the real response
    const now = this.ctx.clock.now();
    a.headersAt = now;
    a.status = status;
    if (this.#state !== PENDING || a.cancelReason !== undefined) {
      // A hedge that lost, or a call already answered/failed: drop this response.
      a.discarding = true;
      return true;
    }
    const plan = this.plan;
    if (plan.statuses[status] === 1 && this.idempotent && this.#mayRetry()) {
      let delay: number | undefined;
      if (plan.retryAfter) {
        const ra = rawHeader(raw, 'retry-after');
        if (ra !== undefined) {
          const ms = parseRetryAfter(ra);
          if (ms !== undefined) delay = ms <= plan.maxRetryAfterMs ? ms : -1;
        }
      }
      if (delay === undefined) delay = this.#nextBackoff();
      if (delay >= 0 && this.#liveCount > 1) {
        // Another attempt (a hedge) is still running: let it answer instead.
        a.discarding = true;
        a.retryDelay = -2;
        return true;
      }
      if (delay >= 0 && this.#admitRetry(now, delay, status, undefined)) {
        a.discarding = true;
        a.retryDelay = delay;
        return true;
      }
    }
    // This response goes to the caller.
    this.#state = DELIVERED;
    this.#winner = a;
    if (this.#liveCount > 1) this.#cancelOthers(a);
    this.#hedgeAt = Number.POSITIVE_INFINITY;
    const h = this.h;
    h.onResponseStarted?.();
    return h.onHeaders === undefined ? true : h.onHeaders(status, raw, resume, text);
  }

  onAttemptData(a: HttpAttempt, chunk: Buffer): boolean {
    if (a !== this.#winner) return true;
    const h = this.h;
    return h.onData === undefined ? true : h.onData(chunk);
  }

  onAttemptComplete(a: HttpAttempt, trailers: Buffer[] | string[] | null): void {
    if (!this.#unlink(a)) return;
    const status = a.status;
    const outcome = a.cancelReason instanceof HedgeLostError ? 'cancelled' : outcomeOf(status);
    this.#record(a, outcome, status, undefined);
    if (a === this.#winner) {
      this.#succeed(trailers);
      return;
    }
    if (this.#state !== PENDING || !a.discarding) return;
    if (a.retryDelay === -2) {
      if (this.#liveCount === 0) this.#retryOrFail(new Error(`HTTP ${status}`), status, 'attempts-exhausted');
      return;
    }
    if (a.retryDelay >= 0 && a.cancelReason === undefined) this.#scheduleRetry(a.retryDelay);
  }

  onAttemptUpgrade(a: HttpAttempt, status: number, raw: Buffer[] | string[] | null, socket: Duplex): void {
    this.#unlink(a);
    a.status = status;
    a.headersAt = this.ctx.clock.now();
    this.#record(a, 'success', status, undefined);
    this.#state = DELIVERED;
    this.#winner = a;
    this.h.onUpgrade?.(status, raw, socket);
    this.#succeed(null);
  }

  onAttemptError(a: HttpAttempt, err: Error): void {
    if (!this.#unlink(a)) return;
    const reason = a.cancelReason;
    // The call's own end (a hedge won, the caller aborted, the call's deadline passed) is not the
    // endpoint's fault: 'cancelled' feeds its latency as a lower bound only, never its breaker or
    // outlier detector. A per-try timeout is the endpoint's (it was slow) and counts as a failure.
    if (
      reason !== undefined &&
      (reason instanceof HedgeLostError ||
        reason === this.#userAbort ||
        reason instanceof DeadlineExceededError)
    ) {
      this.#record(a, 'cancelled', a.headersAt >= 0 ? a.status : undefined, undefined);
    } else {
      this.#record(a, 'local-origin-error', a.headersAt >= 0 ? a.status : undefined, err);
    }
    const state = this.#state;
    if (state === DONE) return;
    if (state === DELIVERED) {
      if (a !== this.#winner) return;
      // The response body broke (or the caller, or the deadline, cut it): tell the caller.
      this.#finish(
        reason instanceof DeadlineExceededError
          ? 'deadline'
          : this.#userAbort !== undefined
            ? 'cancelled'
            : 'error',
        a.status,
        err,
      );
      this.h.onError?.(err);
      return;
    }
    if (reason instanceof HedgeLostError) return;
    // Our own cancellations (undici may report them synchronously, from inside abort()).
    if (this.#userAbort !== undefined) {
      this.#fail(this.#userAbort, 'cancelled');
      return;
    }
    if (reason instanceof DeadlineExceededError) {
      this.#fail(reason, 'deadline');
      return;
    }
    if (reason instanceof ClientClosedError) {
      this.#fail(reason, 'rejected');
      return;
    }
    if (a.discarding && a.retryDelay >= 0) {
      // The discarded body of a retried response broke: the retry was already decided.
      if (a.retryDelay >= 0 && this.#liveCount === 0) this.#scheduleRetry(a.retryDelay);
      return;
    }
    this.#lastError = err;
    if (this.#liveCount > 0) return; // another attempt may still answer
    const perTry = reason instanceof PerTryTimeoutError;
    let retryable = false;
    if (perTry) retryable = this.idempotent;
    else {
      const code = errorCode(err);
      if (code !== undefined) {
        if (CONNECT_PHASE.has(code)) retryable = true;
        else if (AFTER_SEND.has(code)) retryable = this.idempotent;
      }
    }
    if (!retryable || !this.#mayRetry()) {
      this.#giveUp(retryable ? 'attempts-exhausted' : 'not-retryable', err);
      return;
    }
    this.#retryOrFail(err, undefined, 'attempts-exhausted');
  }

  /** May another attempt be made at all (attempt count, body, idempotency, client state)? */
  #mayRetry(): boolean {
    if (this.attempts >= this.plan.maxAttempts || this.ctx.closed || this.#userAbort !== undefined)
      return false;
    if (this.#bodyFactory !== undefined) return true;
    const body = this.#body;
    if (body instanceof TrackedBody) return !body.started;
    return isReplayable(body);
  }

  /** The next backoff delay; the iterator is created on the first retry only. */
  #nextBackoff(): number {
    if (this.#backoff === undefined) this.#backoff = this.plan.backoff.start();
    return this.#backoff.next();
  }

  /** Deadline and budget checks for a retry after `delay`; publishes the retry. */
  #admitRetry(now: number, delay: number, status: number | undefined, error: unknown): boolean {
    const svc = this.svc;
    this.#budgetRefused = false;
    if (now + delay >= this.deadlineAt) return false;
    const budget = svc.budget;
    if (budget !== undefined && !budget.tryWithdraw()) {
      svc.metrics?.budgetExhausted.inc();
      if (channels.budgetExhausted.hasSubscribers) channels.budgetExhausted.publish({ service: svc.name });
      this.#budgetRefused = true;
      return false;
    }
    svc.metrics?.retries.inc();
    if (channels.retry.hasSubscribers) {
      channels.retry.publish({
        service: svc.name,
        attempt: this.attempts,
        delayMs: delay,
        statusCode: status,
        error,
      });
    }
    return true;
  }

  #budgetRefused = false;

  /** A retryable failure with no response to hand over: retry after backoff, or give up. */
  #retryOrFail(err: unknown, status: number | undefined, exhausted: GiveUpReason): void {
    if (!this.#mayRetry()) {
      this.#giveUp(exhausted, err);
      return;
    }
    const delay = this.#nextBackoff();
    const now = this.ctx.clock.now();
    if (!this.#admitRetry(now, delay, status, err)) {
      this.#giveUp(this.#budgetRefused ? 'budget-exhausted' : 'deadline-too-close', err);
      return;
    }
    this.#scheduleRetry(delay);
  }

  #scheduleRetry(delay: number): void {
    if (this.#state !== PENDING) return;
    if (this.ctx.closed) {
      this.#fail(new ClientClosedError(this.svc.name), 'rejected');
      return;
    }
    this.#retryAt = this.ctx.clock.now() + delay;
    this.#arm(this.#retryAt);
  }

  #giveUp(reason: GiveUpReason, cause: unknown): void {
    if (
      isBrokenCircuitError(cause) ||
      cause instanceof NoEndpointsError ||
      cause instanceof DeadlineExceededError
    ) {
      this.#fail(cause as Error, 'error');
      return;
    }
    this.#fail(new RequestFailedError(reason, this.#report(), cause), 'error');
  }

  // ---- timer ---------------------------------------------------------------------------------

  /** No timer per call: the client's single ticker calls onTimer() once `timerAt` has passed. */
  #arm(at: number): void {
    if (at < this.timerAt) {
      this.timerAt = at;
      this.ctx.tick();
    }
  }

  onTimer(now: number): void {
    this.timerAt = Number.POSITIVE_INFINITY;
    if (this.#state === DONE) return;
    if (now >= this.deadlineAt) {
      this.#deadline();
      return;
    }
    if (this.#state === PENDING) {
      for (let a = this.#live; a !== undefined; a = a.next) {
        if (a.headersAt < 0 && a.perTryAt <= now && a.cancelReason === undefined) {
          a.cancel(new PerTryTimeoutError(a.slot.id, this.plan.perTryTimeoutMs));
        }
      }
      if (this.#state === PENDING && this.#retryAt <= now) {
        this.#retryAt = Number.POSITIVE_INFINITY;
        this.#startAttempt(false, now);
      }
      if (this.#state === PENDING && this.#hedgeAt <= now) this.#hedge(now);
    }
    this.#rearm();
  }

  #rearm(): void {
    if (this.#state === DONE) return;
    let at = this.deadlineAt;
    if (this.#retryAt < at) at = this.#retryAt;
    if (this.#hedgeAt < at) at = this.#hedgeAt;
    if (this.#state === PENDING) {
      for (let a = this.#live; a !== undefined; a = a.next) {
        if (a.headersAt < 0 && a.cancelReason === undefined && a.perTryAt < at) at = a.perTryAt;
      }
    }
    if (at !== Number.POSITIVE_INFINITY) this.#arm(at);
  }

  #hedge(now: number): void {
    const plan = this.plan;
    let hedges = 0;
    for (let a = this.#live; a !== undefined; a = a.next) if (a.hedge) hedges++;
    if (
      this.#liveCount === 0 ||
      hedges >= plan.maxHedged ||
      this.attempts >= plan.maxAttempts + plan.maxHedged
    ) {
      this.#hedgeAt = Number.POSITIVE_INFINITY;
      return;
    }
    this.#hedgeAt = now + this.#hedgeDelay();
    const svc = this.svc;
    if (svc.budget !== undefined && !svc.budget.tryWithdraw()) {
      svc.metrics?.budgetExhausted.inc();
      if (channels.budgetExhausted.hasSubscribers) channels.budgetExhausted.publish({ service: svc.name });
      return;
    }
    svc.metrics?.hedges.inc();
    if (channels.hedge.hasSubscribers)
      channels.hedge.publish({ service: svc.name, attempt: this.attempts + 1 });
    this.#startAttempt(true, now);
  }

  /** The fixed delay, or the service's recent attempt-latency percentile (Infinity until it has enough). */
  #hedgeDelay(): number {
    const plan = this.plan;
    const q = plan.hedgePercentile;
    if (q === undefined) return plan.hedgeDelayMs;
    const d = this.svc.hedgeDelay?.delay(q) ?? Number.POSITIVE_INFINITY;
    return Math.max(d, plan.hedgeDelayMs);
  }

  #deadline(): void {
    const err = new DeadlineExceededError(this.#report(), this.#lastError);
    if (this.#state === DELIVERED) {
      this.#winner?.cancel(err);
      return;
    }
    this.#cancelLive(err);
    this.#fail(err, 'deadline');
  }

  // ---- ending --------------------------------------------------------------------------------

  #cancelLive(reason: Error): void {
    for (let a = this.#live; a !== undefined; a = a.next) a.cancel(reason);
  }

  #cancelOthers(winner: HttpAttempt): void {
    const lost = new HedgeLostError();
    for (let a = this.#live; a !== undefined; a = a.next) if (a !== winner) a.cancel(lost);
  }

  #succeed(trailers: Buffer[] | string[] | null): void {
    const status = this.#winner?.status ?? 0;
    this.#finish(status >= 500 ? 'server_error' : 'success', status, undefined);
    this.h.onComplete?.(trailers);
  }

  #fail(err: Error, outcome: CallOutcome): void {
    if (this.#state === DONE) return;
    this.#finish(outcome, undefined, err);
    const h = this.h;
    if (h.onError === undefined) throw err;
    h.onError(err);
  }

  /** Settles the call's permits, span, metrics and events, once. */
  #finish(outcome: CallOutcome, status: number | undefined, error: unknown): void {
    if (this.#state === DONE) return;
    this.#state = DONE;
    this.timerAt = Number.POSITIVE_INFINITY;
    this.#queueAbort?.();
    const ctx = this.ctx;
    ctx.unlink(this);
    const winner = this.#winner;
    const duration =
      (winner !== undefined && winner.headersAt >= 0 ? winner.headersAt : ctx.clock.now()) - this.start;
    settleCall(this.svc.metrics, this.#servicePermit, this.#bulkheadPermit, outcome, duration);
    this.#span?.end(error === undefined ? { statusCode: status } : { statusCode: status, error });
    if (channels.requestEnd.hasSubscribers) {
      channels.requestEnd.publish({
        service: this.svc.name,
        method: this.method,
        path: this.opts.path,
        outcome,
        statusCode: status,
        error,
        attempts: this.attempts,
        durationMs: duration,
      });
    }
  }

  /** The client is closing: a call waiting to retry or hedge gives up now. */
  closeIfIdle(): void {
    if (this.#state === PENDING && this.#liveCount === 0) {
      this.#fail(new ClientClosedError(this.svc.name), 'rejected');
    }
  }

  /** The client is being destroyed: end the call now, whatever its state. */
  destroy(): void {
    if (this.#state === DONE) return;
    const err = new ClientClosedError(this.svc.name);
    if (this.#state === DELIVERED) {
      this.#winner?.cancel(err);
      return;
    }
    this.#cancelLive(err);
    this.#fail(err, 'rejected');
  }
}

function outcomeOf(status: number): Outcome {
  if (status === 502 || status === 503 || status === 504) return 'gateway-error';
  if (status >= 500) return 'error';
  return 'success';
}
