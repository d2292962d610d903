// Options of the gRPC client and their resolution into frozen per-method plans (validated once,
// at construction; arguments are never mutated).

import type { Registry } from '@breakwater/discovery';
import { type Backoff, GrpcStatus } from '@breakwater/retry';
import type { ClientTracingOptions } from '@breakwater/tracing';
import type { ChannelCredentials, ChannelOptions } from '@grpc/grpc-js';
import type { Clock, Random } from '../clock.js';
import {
  DEFAULT_BACKOFF,
  type MetricsOptions,
  type ResolvedServicePolicy,
  resolveServicePolicy,
  type ServicePolicy,
} from '../options.js';

/** Retries of one method (unary and server-streaming calls only). */
export interface GrpcRetryOptions {
  /** Attempts including the first (default 3). */
  maxAttempts?: number;
  /** Delay before each retry when the server sent no `grpc-retry-pushback-ms` (default `exponential({ initial: 25, max: 1_000, jitter: 'full' })`). */
  backoff?: Backoff;
  /** Status codes retried (default `[UNAVAILABLE]` for idempotent methods, none for the others). */
  codes?: readonly number[];
}

/** What can differ per method. */
export interface GrpcMethodPolicy {
  /** `false` = one attempt. */
  retry?: GrpcRetryOptions | false;
  /** Total time of a call, retries included, ms; `0` = none. Default 15,000 for unary calls, none for streams. A caller's `deadline` call option shortens it. */
  timeoutMs?: number;
  /** Time of one attempt, ms (default none): a slow attempt ends with DEADLINE_EXCEEDED and, if idempotent, is retried. */
  perTryTimeoutMs?: number;
  /** Calls of this method may be sent twice (default: listed in `idempotentMethods`). */
  idempotent?: boolean;
}

/** Client-side health checking with grpc.health.v1 (`Watch`, falling back to `Check` polling). */
export interface HealthCheckOptions {
  /** The `service` field of the health request (default `''`: the whole server). */
  serviceName?: string;
  /** Polling interval when the server does not implement `Watch`, ms (default 5,000). */
  pollIntervalMs?: number;
  /** Deadline of each `Check`, ms (default 1,000). */
  timeoutMs?: number;
  /** First delay before re-opening a broken `Watch` stream, ms (doubles up to 30 s; default 1,000). */
  reconnectMs?: number;
}

export interface GrpcClientOptions
  extends GrpcMethodPolicy,
    Pick<ServicePolicy, 'balancer' | 'endpointBreaker' | 'serviceBreaker' | 'bulkhead' | 'budget'> {
  /** Where endpoints come from (StaticRegistry, ConsulRegistry, …). Not closed by the client. */
  registry: Registry;
  /** The logical service name in the registry. */
  service: string;
  /** Credentials of every endpoint channel (default `credentials.createInsecure()`). */
  credentials?: ChannelCredentials;
  /** grpc-js channel options for every endpoint channel (default `{ 'grpc.use_local_subchannel_pool': 1 }` added). */
  channelOptions?: ChannelOptions;
  /** Method names (as in the service definition, or their original proto names) whose calls may be retried. */
  idempotentMethods?: readonly string[];
  /** Per-method overrides, keyed by method name. */
  methods?: Readonly<Record<string, GrpcMethodPolicy>>;
  /** grpc.health.v1 health checking of each endpoint (default off). `true` = defaults. */
  healthCheck?: HealthCheckOptions | boolean;
  /** How long a departed endpoint's channel keeps serving calls in flight before it is closed, ms (default 30,000). */
  drainTimeoutMs?: number;
  /** prom-client metrics (off unless given; prefix default 'breakwater_grpc_client_'). */
  metrics?: MetricsOptions;
  /** Spans and traceparent injection (default on, works without an SDK); false disables. */
  tracing?: ClientTracingOptions | false;
  /** How often (at most) outlier ejections and breaker recoveries are re-evaluated, ms (default 1,000). */
  evaluateIntervalMs?: number;
  clock?: Clock;
  random?: Random;
}

/** A method's resolved plan. */
export interface GrpcPlan {
  readonly maxAttempts: number;
  readonly backoff: Backoff;
  /** Retryable status codes. */
  readonly codes: readonly number[];
  readonly timeoutMs: number;
  readonly perTryTimeoutMs: number;
  readonly idempotent: boolean;
}

export interface ResolvedHealthCheck {
  readonly serviceName: string;
  readonly pollIntervalMs: number;
  readonly timeoutMs: number;
  readonly reconnectMs: number;
}

export interface ResolvedGrpcOptions {
  readonly registry: Registry;
  readonly service: string;
  readonly policy: ResolvedServicePolicy;
  readonly healthCheck: ResolvedHealthCheck | undefined;
  readonly evaluateIntervalMs: number;
  readonly clock: Clock;
  readonly random: Random;
  readonly tracing: ClientTracingOptions | false;
}

function object(name: string, v: unknown): void {
  if (typeof v !== 'object' || v === null) throw new TypeError(`${name} must be an object, got ${String(v)}`);
}

function posInt(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) {
    throw new RangeError(`${name} must be a positive integer, got ${String(v)}`);
  }
  return v;
}

function ms(name: string, v: unknown, positive = false): number {
  if (typeof v !== 'number' || Number.isNaN(v) || v < 0 || (positive && v === 0)) {
    throw new RangeError(
      `${name} must be a ${positive ? 'positive' : 'non-negative'} number of ms, got ${String(v)}`,
    );
  }
  return v;
}

const NO_CODES: readonly number[] = Object.freeze([]);
const UNAVAILABLE_ONLY: readonly number[] = Object.freeze([GrpcStatus.UNAVAILABLE]);

/** Resolves a method's plan: the method's own fields over the client-wide ones. */
export function resolvePlan(
  name: string,
  own: GrpcMethodPolicy,
  base: GrpcMethodPolicy,
  idempotent: boolean,
  streaming: boolean,
): GrpcPlan {
  const p: GrpcMethodPolicy = { ...base, ...own };
  const at = (field: string): string => (name === '' ? field : `${name}.${field}`);
  const idem = p.idempotent ?? idempotent;
  let maxAttempts = 3;
  let backoff = DEFAULT_BACKOFF;
  let codes = idem ? UNAVAILABLE_ONLY : NO_CODES;
  const retry = p.retry;
  if (retry === false) maxAttempts = 1;
  else if (retry !== undefined) {
    object(at('retry'), retry);
    if (retry.maxAttempts !== undefined) maxAttempts = posInt(at('retry.maxAttempts'), retry.maxAttempts);
    if (retry.backoff !== undefined) {
      if (typeof retry.backoff?.start !== 'function') {
        throw new TypeError(`${at('retry.backoff')} must be a Backoff (an object with start())`);
      }
      backoff = retry.backoff;
    }
    if (retry.codes !== undefined) {
      if (!Array.isArray(retry.codes)) throw new TypeError(`${at('retry.codes')} must be an array`);
      for (const c of retry.codes) {
        if (!Number.isInteger(c) || c < 1 || c > 16) {
          throw new RangeError(`${at('retry.codes')} must hold gRPC status codes 1-16, got ${String(c)}`);
        }
      }
      codes = Object.freeze([...retry.codes]);
    }
  }
  let timeoutMs = streaming ? Number.POSITIVE_INFINITY : 15_000;
  if (p.timeoutMs !== undefined) {
    timeoutMs = ms(at('timeoutMs'), p.timeoutMs);
    if (timeoutMs === 0) timeoutMs = Number.POSITIVE_INFINITY;
  }
  let perTryTimeoutMs = Number.POSITIVE_INFINITY;
  if (p.perTryTimeoutMs !== undefined) {
    perTryTimeoutMs = ms(at('perTryTimeoutMs'), p.perTryTimeoutMs);
    if (perTryTimeoutMs === 0) perTryTimeoutMs = Number.POSITIVE_INFINITY;
  }
  return Object.freeze({ maxAttempts, backoff, codes, timeoutMs, perTryTimeoutMs, idempotent: idem });
}

export function resolveGrpcOptions(options: GrpcClientOptions, defaultClock: Clock): ResolvedGrpcOptions {
  object('options', options);
  const r = options.registry;
  if (typeof r !== 'object' || r === null || typeof r.watch !== 'function') {
    throw new TypeError('registry must be a Registry (an object with watch())');
  }
  if (typeof options.service !== 'string' || options.service === '') {
    throw new TypeError(`service must be a non-empty string, got ${String(options.service)}`);
  }
  const drainTimeoutMs =
    options.drainTimeoutMs === undefined ? 30_000 : ms('drainTimeoutMs', options.drainTimeoutMs);
  const policy = resolveServicePolicy(options.service, undefined, {
    balancer: options.balancer,
    endpointBreaker: options.endpointBreaker,
    serviceBreaker: options.serviceBreaker,
    bulkhead: options.bulkhead,
    budget: options.budget,
    pool: { drainTimeoutMs },
  });
  if (options.idempotentMethods !== undefined && !Array.isArray(options.idempotentMethods)) {
    throw new TypeError('idempotentMethods must be an array of method names');
  }
  if (options.methods !== undefined) object('methods', options.methods);
  if (options.channelOptions !== undefined) object('channelOptions', options.channelOptions);
  if (options.credentials !== undefined) object('credentials', options.credentials);
  let healthCheck: ResolvedHealthCheck | undefined;
  const hc = options.healthCheck ?? false;
  if (hc !== false) {
    const h: HealthCheckOptions = hc === true ? {} : hc;
    object('healthCheck', h);
    if (h.serviceName !== undefined && typeof h.serviceName !== 'string') {
      throw new TypeError('healthCheck.serviceName must be a string');
    }
    healthCheck = Object.freeze({
      serviceName: h.serviceName ?? '',
      pollIntervalMs: ms('healthCheck.pollIntervalMs', h.pollIntervalMs ?? 5_000, true),
      timeoutMs: ms('healthCheck.timeoutMs', h.timeoutMs ?? 1_000, true),
      reconnectMs: ms('healthCheck.reconnectMs', h.reconnectMs ?? 1_000, true),
    });
  }
  if (options.metrics !== undefined) {
    object('metrics', options.metrics);
    object('metrics.registry', options.metrics.registry);
  }
  const tracing = options.tracing ?? {};
  if (tracing !== false) object('tracing', tracing);
  const evaluateIntervalMs = options.evaluateIntervalMs ?? 1_000;
  if (typeof evaluateIntervalMs !== 'number' || !(evaluateIntervalMs > 0)) {
    throw new RangeError(`evaluateIntervalMs must be a positive number, got ${String(evaluateIntervalMs)}`);
  }
  const clock = options.clock ?? defaultClock;
  if (typeof clock?.now !== 'function') throw new TypeError('clock must be an object with a now() method');
  const random = options.random ?? Math.random;
  if (typeof random !== 'function') throw new TypeError('random must be a function');
  return Object.freeze({
    registry: r,
    service: options.service,
    policy,
    healthCheck,
    evaluateIntervalMs,
    clock,
    random,
    tracing,
  });
}
