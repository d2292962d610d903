// Public option types of the HTTP client, and their resolution into frozen per-service and
// per-route plans (validated once, at construction; arguments are never mutated).
import {
  Bulkhead,
  CircuitBreaker,
  type CircuitBreakerOptions,
  type ConcurrencyGuard,
  type TripStrategy,
} from '@breakwater/breaker';
import type { Registry } from '@breakwater/discovery';
import { Balancer, type BalancerOptions } from '@breakwater/loadbalance';
import { type Backoff, exponential, RetryBudget, type RetryBudgetOptions } from '@breakwater/retry';
import type { ClientTracingOptions } from '@breakwater/tracing';
import type { Clock, Random } from './clock.js';
import {
  CLIENT_KEYS,
  HEDGE_KEYS,
  POOL_KEYS,
  RETRY_KEYS,
  ROUTE_KEYS,
  rejectUnknownKeys,
  SERVICE_POLICY_KEYS,
} from './option-keys.js';
import { compileRoute, type RouteMatcher } from './route-matcher.js';

/** Retry behaviour of a call (per service, overridable per route). */
export interface RetryOptions {
  /** Attempts including the first (default 3). */
  maxAttempts?: number;
  /** Delay before each retry (default `exponential({ initial: 25, max: 1_000, jitter: 'full' })`). */
  backoff?: Backoff;
  /** Response statuses that are retried (default [429, 502, 503, 504]). */
  statuses?: readonly number[];
  /** Honour `Retry-After` on retryable responses (default true). */
  retryAfter?: boolean;
  /** Cap on a `Retry-After` delay, ms (default 30,000); a longer one is not waited for. */
  maxRetryAfterMs?: number;
}

/**
 * Backup requests for slow attempts (idempotent calls only; off by default). `{}` hedges adaptively,
 * after the p95 of the service's recent attempts. Every hedge withdraws from the service's retry budget.
 */
export interface HedgeOptions {
  /** A fixed delay: start a backup attempt when the first has not answered after this many ms. */
  delayMs?: number;
  /**
   * Without `delayMs`: hedge after this percentile of the service's recent attempt latencies (to
   * response headers), once 100 attempts were seen; none before (default 0.95, The Tail at Scale).
   */
  percentile?: number;
  /** Without `delayMs`: never hedge sooner than this many ms (default 1). */
  minDelayMs?: number;
  /** Backup attempts beyond the first (default 1). */
  maxHedged?: number;
}

/** What can differ per route: retries, hedging, timeouts, idempotency. */
export interface CallPolicy {
  /** `false` disables retries. */
  retry?: RetryOptions | false;
  /** Off by default; `{}` = adaptive (p95 of the service's attempts), `{ delayMs }` = fixed; only idempotent calls are hedged. */
  hedge?: HedgeOptions | false;
  /** Total time for the call, retries and response body included, ms (default 15,000 as Envoy's route timeout; 0 = none). */
  timeoutMs?: number;
  /** Time for each attempt to get its response headers, ms (default none). */
  perTryTimeoutMs?: number;
  /** Treat the calls as idempotent whatever their method (default: by method, RFC 9110). */
  idempotent?: boolean;
}

/** A circuit breaker configuration; `strategy` is a factory since each breaker needs its own. */
export interface BreakerPolicy extends Omit<CircuitBreakerOptions, 'strategy' | 'clock' | 'random'> {
  strategy?: () => TripStrategy;
}

/** Per-route override, matched on method and path (first match wins). */
export interface RouteOverride extends CallPolicy {
  /** Methods matched (default all). */
  method?: string | readonly string[];
  /** `/items/:id`, `/files/*` (rest of path), or a RegExp tested against the path without query. */
  path: string | RegExp;
}

export interface PoolPolicy {
  /** Connections per endpoint (default 128; `null` = unlimited). */
  connections?: number | null;
  /** Idle keep-alive time of a connection, ms (default 4,000, undici's). */
  keepAliveTimeoutMs?: number;
  /** Requests pipelined per connection (default 1). */
  pipelining?: number;
  /** How long a departed endpoint's pool may drain before it is destroyed, ms (default 30,000). */
  drainTimeoutMs?: number;
}

/** A fixed bulkhead's options, or a factory of a `ConcurrencyGuard` (a `Bulkhead` or an `AdaptiveLimiter`). */
export type BulkheadPolicy =
  | { maxConcurrent: number; maxQueue?: number; queueTimeoutMs?: number }
  | (() => ConcurrencyGuard);

/** Everything configurable per service. */
export interface ServicePolicy extends CallPolicy {
  /** Balancer options (default `{ policy: 'peak-ewma', outlierDetection: true }`: Envoy's defaults). */
  balancer?: Omit<BalancerOptions, 'clock' | 'random'>;
  /** One breaker per endpoint (default 5 consecutive failures, 10 s open, backing off to 5 min); false disables. */
  endpointBreaker?: BreakerPolicy | false;
  /** One breaker for the whole service, judged on final call outcomes (default the breaker package's 50 % of 100 calls); false disables. */
  serviceBreaker?: BreakerPolicy | false;
  /**
   * Concurrency limit of logical calls to the service (default none): a fixed `Bulkhead`'s options,
   * or a factory of any `ConcurrencyGuard` — e.g. `() => new AdaptiveLimiter({ limit: new VegasLimit() })`
   * for an adaptive limit that sheds instead of queueing (called once per service).
   */
  bulkhead?: BulkheadPolicy | false;
  /** Retry budget shared by all calls to the service (default Finagle's: 20 % + 10/s over 10 s); false = unlimited. */
  budget?: Omit<RetryBudgetOptions, 'clock'> | false;
  /** Connection pool per endpoint. */
  pool?: PoolPolicy;
  /** Per-route overrides of the call policy. */
  routes?: readonly RouteOverride[];
  /**
   * Affinity (Envoy's `hash_policy`): the request header whose value is hashed to pick the endpoint,
   * so calls with the same key (a user or session id) go to the same instance while it is up. Needs a
   * hashing balancer (`ring-hash` or `maglev`). Calls without the header are spread as without a key.
   */
  hashKey?: { header: string };
}

export interface MetricsOptions {
  /** A prom-client `Registry` to register the metrics in. */
  registry: unknown;
  /** Metric name prefix (default 'breakwater_client_'). */
  prefix?: string;
}

export interface HttpClientOptions {
  /** Where endpoints come from (StaticRegistry, ConsulRegistry, …). Not closed by the client. */
  registry: Registry;
  /** The services this client calls by name, with their policies. A host is a service if listed here or, for registries with `services()`, listed there. */
  services?: Readonly<Record<string, ServicePolicy>>;
  /** Policy applied under every service's own (default the documented defaults). */
  defaults?: ServicePolicy;
  /** Hosts that are not services: sent through a plain undici Agent, or refused with UnknownServiceError (default 'refuse'). */
  unknownHosts?: 'passthrough' | 'refuse';
  /** prom-client metrics (off unless given). */
  metrics?: MetricsOptions;
  /** OpenTelemetry spans and traceparent injection (default on, works without an SDK); false disables. */
  tracing?: ClientTracingOptions | false;
  /** Send the remaining deadline downstream in `x-breakwater-deadline-ms` (default true). */
  propagateDeadline?: boolean;
  /** Granularity of timeouts, hedge delays and backoff sleeps: one ticker per client checks them this often (default 5 ms). */
  timerResolutionMs?: number;
  /** How often (at most) outlier ejections and breaker recoveries are re-evaluated, on the hot path (default 1,000 ms). */
  evaluateIntervalMs?: number;
  clock?: Clock;
  random?: Random;
}

/** A resolved call policy: numbers ready for the hot path. */
export interface CallPlan {
  readonly maxAttempts: number;
  readonly backoff: Backoff;
  /** 600 flags: retryable statuses. */
  readonly statuses: Uint8Array;
  readonly retryAfter: boolean;
  readonly maxRetryAfterMs: number;
  readonly timeoutMs: number;
  readonly perTryTimeoutMs: number;
  readonly idempotent: boolean | undefined;
  /** The fixed hedge delay, or with `hedgePercentile` the least adaptive one. */
  readonly hedgeDelayMs: number;
  /** Adaptive hedging: the percentile of the service's attempt latencies; undefined = fixed delay. */
  readonly hedgePercentile: number | undefined;
  readonly maxHedged: number;
}

export interface ResolvedRoute {
  readonly match: RouteMatcher;
  readonly plan: CallPlan;
}

export interface ResolvedServicePolicy {
  readonly plan: CallPlan;
  readonly routes: readonly ResolvedRoute[];
  readonly balancer: Omit<BalancerOptions, 'clock' | 'random'>;
  readonly endpointBreaker: BreakerPolicy | false;
  readonly serviceBreaker: BreakerPolicy | false;
  readonly bulkhead: BulkheadPolicy | false;
  readonly budget: Omit<RetryBudgetOptions, 'clock'> | false;
  readonly pool: Required<PoolPolicy>;
  /** Lower-cased header whose value is the balancer's affinity key, if any. */
  readonly hashHeader: string | undefined;
}

/** Adaptive hedging (`hedge: {}`): after the p95 of the service's attempts, at least 1 ms. */
export const HEDGE_DEFAULTS = Object.freeze({ percentile: 0.95, minDelayMs: 1 });

export const DEFAULT_STATUSES: readonly number[] = Object.freeze([429, 502, 503, 504]);
export const DEFAULT_BACKOFF: Backoff = exponential({ initial: 25, max: 1_000, jitter: 'full' });

export const SERVICE_DEFAULTS = Object.freeze({
  timeoutMs: 15_000,
  balancer: Object.freeze({ policy: 'peak-ewma', outlierDetection: true }) as Omit<
    BalancerOptions,
    'clock' | 'random'
  >,
  endpointBreaker: Object.freeze({
    openDurationMs: 10_000,
    openBackoff: Object.freeze({ multiplier: 2, maxMs: 300_000 }),
  }) as BreakerPolicy,
  serviceBreaker: Object.freeze({}) as BreakerPolicy,
  pool: Object.freeze({ connections: 128, keepAliveTimeoutMs: 4_000, pipelining: 1, drainTimeoutMs: 30_000 }),
});

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function posInt(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) {
    throw new RangeError(`${name} must be a positive integer, got ${String(v)}`);
  }
  return v;
}

function nonNegMs(name: string, v: unknown): number {
  if (typeof v !== 'number' || Number.isNaN(v) || v < 0) {
    throw new RangeError(`${name} must be a non-negative number of ms, got ${String(v)}`);
  }
  return v;
}

/** Runs `build`; a RangeError or TypeError it throws is rethrown with `path` in front of its message. */
function underPath(path: string, build: () => unknown): void {
  try {
    build();
  } catch (e) {
    if (e instanceof RangeError) throw new RangeError(`${path}: ${e.message}`, { cause: e });
    if (e instanceof TypeError) throw new TypeError(`${path}: ${e.message}`, { cause: e });
    throw e;
  }
}

function object(name: string, v: unknown): void {
  if (typeof v !== 'object' || v === null) throw new TypeError(`${name} must be an object, got ${String(v)}`);
}

function resolvePlan(name: string, p: CallPolicy, base: CallPlan | undefined): CallPlan {
  const retry = p.retry;
  let maxAttempts = base?.maxAttempts ?? 3;
  let backoff = base?.backoff ?? DEFAULT_BACKOFF;
  let statuses = base?.statuses;
  let retryAfter = base?.retryAfter ?? true;
  let maxRetryAfterMs = base?.maxRetryAfterMs ?? 30_000;
  if (retry === false) maxAttempts = 1;
  else if (retry !== undefined) {
    object(`${name}.retry`, retry);
    rejectUnknownKeys(`${name}.retry`, retry, RETRY_KEYS);
    if (retry.maxAttempts !== undefined) maxAttempts = posInt(`${name}.retry.maxAttempts`, retry.maxAttempts);
    if (retry.backoff !== undefined) {
      if (typeof retry.backoff?.start !== 'function') {
        throw new TypeError(`${name}.retry.backoff must be a Backoff (an object with start())`);
      }
      backoff = retry.backoff;
    }
    if (retry.statuses !== undefined) {
      if (!Array.isArray(retry.statuses)) throw new TypeError(`${name}.retry.statuses must be an array`);
      const flags = new Uint8Array(600);
      for (const s of retry.statuses) {
        if (!Number.isInteger(s) || s < 100 || s > 599) {
          throw new RangeError(`${name}.retry.statuses must hold HTTP statuses, got ${String(s)}`);
        }
        flags[s] = 1;
      }
      statuses = flags;
    }
    if (retry.retryAfter !== undefined) retryAfter = retry.retryAfter === true;
    if (retry.maxRetryAfterMs !== undefined) {
      maxRetryAfterMs = nonNegMs(`${name}.retry.maxRetryAfterMs`, retry.maxRetryAfterMs);
    }
  }
  if (statuses === undefined) {
    statuses = new Uint8Array(600);
    for (const s of DEFAULT_STATUSES) statuses[s] = 1;
  }
  let timeoutMs = base?.timeoutMs ?? SERVICE_DEFAULTS.timeoutMs;
  if (p.timeoutMs !== undefined) {
    timeoutMs = nonNegMs(`${name}.timeoutMs`, p.timeoutMs);
    if (timeoutMs === 0) timeoutMs = Number.POSITIVE_INFINITY;
  }
  let perTryTimeoutMs = base?.perTryTimeoutMs ?? Number.POSITIVE_INFINITY;
  if (p.perTryTimeoutMs !== undefined) {
    perTryTimeoutMs = nonNegMs(`${name}.perTryTimeoutMs`, p.perTryTimeoutMs);
    if (perTryTimeoutMs === 0) perTryTimeoutMs = Number.POSITIVE_INFINITY;
  }
  let idempotent = base?.idempotent;
  if (p.idempotent !== undefined) {
    if (typeof p.idempotent !== 'boolean') throw new TypeError(`${name}.idempotent must be a boolean`);
    idempotent = p.idempotent;
  }
  let hedgeDelayMs = base?.hedgeDelayMs ?? Number.POSITIVE_INFINITY;
  let hedgePercentile = base?.hedgePercentile;
  let maxHedged = base?.maxHedged ?? 0;
  if (p.hedge === false) {
    hedgeDelayMs = Number.POSITIVE_INFINITY;
    hedgePercentile = undefined;
    maxHedged = 0;
  } else if (p.hedge !== undefined) {
    object(`${name}.hedge`, p.hedge);
    rejectUnknownKeys(`${name}.hedge`, p.hedge, HEDGE_KEYS);
    const h = p.hedge;
    if (h.delayMs !== undefined) {
      hedgeDelayMs = nonNegMs(`${name}.hedge.delayMs`, h.delayMs);
      hedgePercentile = undefined;
      if (h.percentile !== undefined || h.minDelayMs !== undefined) {
        throw new TypeError(
          `${name}.hedge: give delayMs (fixed) or percentile/minDelayMs (adaptive), not both`,
        );
      }
    } else {
      hedgePercentile = h.percentile ?? HEDGE_DEFAULTS.percentile;
      if (typeof hedgePercentile !== 'number' || !(hedgePercentile > 0 && hedgePercentile < 1)) {
        throw new RangeError(`${name}.hedge.percentile must be in (0, 1), got ${String(h.percentile)}`);
      }
      hedgeDelayMs =
        h.minDelayMs === undefined
          ? HEDGE_DEFAULTS.minDelayMs
          : nonNegMs(`${name}.hedge.minDelayMs`, h.minDelayMs);
    }
    maxHedged = h.maxHedged === undefined ? 1 : posInt(`${name}.hedge.maxHedged`, h.maxHedged);
  }
  return Object.freeze({
    maxAttempts,
    backoff,
    statuses,
    retryAfter,
    maxRetryAfterMs,
    timeoutMs,
    perTryTimeoutMs,
    idempotent,
    hedgeDelayMs,
    hedgePercentile,
    maxHedged,
  });
}

/** Merges `defaults` and the service's own policy (the service wins, field by field) and validates. */
export function resolveServicePolicy(
  service: string,
  defaults: ServicePolicy | undefined,
  own: ServicePolicy | undefined,
): ResolvedServicePolicy {
  const name = `services.${service}`;
  if (own !== undefined) {
    object(name, own);
    rejectUnknownKeys(name, own, SERVICE_POLICY_KEYS);
  }
  if (defaults !== undefined) {
    object('defaults', defaults);
    rejectUnknownKeys('defaults', defaults, SERVICE_POLICY_KEYS);
  }
  const p: ServicePolicy = { ...defaults, ...own };
  const plan = resolvePlan(name, p, undefined);
  const routes: ResolvedRoute[] = [];
  const routeList = p.routes ?? [];
  if (!Array.isArray(routeList)) throw new TypeError(`${name}.routes must be an array`);
  routeList.forEach((r, i) => {
    object(`${name}.routes[${i}]`, r);
    rejectUnknownKeys(`${name}.routes[${i}]`, r, ROUTE_KEYS);
    routes.push(
      Object.freeze({
        match: compileRoute(`${name}.routes[${i}]`, r.method, r.path),
        plan: resolvePlan(`${name}.routes[${i}]`, r, plan),
      }),
    );
  });
  if (p.pool !== undefined) {
    object(`${name}.pool`, p.pool);
    rejectUnknownKeys(`${name}.pool`, p.pool, POOL_KEYS);
  }
  const pool = { ...SERVICE_DEFAULTS.pool, ...p.pool };
  if (pool.connections !== null) posInt(`${name}.pool.connections`, pool.connections);
  nonNegMs(`${name}.pool.keepAliveTimeoutMs`, pool.keepAliveTimeoutMs);
  posInt(`${name}.pool.pipelining`, pool.pipelining);
  nonNegMs(`${name}.pool.drainTimeoutMs`, pool.drainTimeoutMs);
  const bulkhead = p.bulkhead ?? false;
  if (bulkhead !== false && typeof bulkhead !== 'function') {
    object(`${name}.bulkhead`, bulkhead);
    posInt(`${name}.bulkhead.maxConcurrent`, bulkhead.maxConcurrent);
    // The policy objects validate their own options: build one now so a bad value fails here,
    // at construction, not at the first call.
    underPath(`${name}.bulkhead`, () => new Bulkhead(bulkhead));
  }
  for (const key of ['endpointBreaker', 'serviceBreaker'] as const) {
    const b = p[key];
    if (b !== undefined && b !== false) {
      object(`${name}.${key}`, b);
      if (b.strategy !== undefined && typeof b.strategy !== 'function') {
        throw new TypeError(`${name}.${key}.strategy must be a function returning a TripStrategy`);
      }
      const { strategy, ...rest } = b;
      underPath(`${name}.${key}`, () => new CircuitBreaker({ ...rest, strategy: strategy?.() }));
    }
  }
  if (p.budget !== undefined && p.budget !== false) {
    object(`${name}.budget`, p.budget);
    const budget = p.budget;
    underPath(`${name}.budget`, () => new RetryBudget(budget));
  }
  if (p.balancer !== undefined) object(`${name}.balancer`, p.balancer);
  const balancer = p.balancer ?? SERVICE_DEFAULTS.balancer;
  underPath(`${name}.balancer`, () => new Balancer({ ...balancer }));
  let hashHeader: string | undefined;
  if (p.hashKey !== undefined) {
    object(`${name}.hashKey`, p.hashKey);
    rejectUnknownKeys(`${name}.hashKey`, p.hashKey, ['header']);
    const h = p.hashKey.header;
    if (typeof h !== 'string' || !HEADER_NAME.test(h)) {
      throw new TypeError(`${name}.hashKey.header must be an HTTP header name, got ${String(h)}`);
    }
    const policy = balancer.policy ?? 'peak-ewma';
    if (policy !== 'ring-hash' && policy !== 'maglev') {
      throw new TypeError(
        `${name}.hashKey needs a hashing balancer policy (ring-hash or maglev), got ${String(policy)}`,
      );
    }
    hashHeader = h.toLowerCase();
  }
  return Object.freeze({
    plan,
    routes: Object.freeze(routes),
    balancer,
    endpointBreaker: p.endpointBreaker ?? SERVICE_DEFAULTS.endpointBreaker,
    serviceBreaker: p.serviceBreaker ?? SERVICE_DEFAULTS.serviceBreaker,
    bulkhead,
    budget: p.budget ?? {},
    pool: Object.freeze(pool) as Required<PoolPolicy>,
    hashHeader,
  });
}

export interface ResolvedClientOptions {
  readonly registry: Registry;
  readonly services: ReadonlyMap<string, ServicePolicy>;
  readonly defaults: ServicePolicy | undefined;
  readonly unknownHosts: 'passthrough' | 'refuse';
  readonly metrics: MetricsOptions | undefined;
  readonly tracing: ClientTracingOptions | false;
  readonly propagateDeadline: boolean;
  readonly evaluateIntervalMs: number;
  readonly timerResolutionMs: number;
  readonly clock: Clock;
  readonly random: Random;
}

export function resolveClientOptions(options: HttpClientOptions, defaultClock: Clock): ResolvedClientOptions {
  object('options', options);
  rejectUnknownKeys('', options, CLIENT_KEYS);
  const r = options.registry;
  if (typeof r !== 'object' || r === null || typeof r.watch !== 'function') {
    throw new TypeError('registry must be a Registry (an object with watch())');
  }
  const services = new Map<string, ServicePolicy>();
  if (options.services !== undefined) {
    object('services', options.services);
    for (const name of Object.keys(options.services)) {
      const p = options.services[name]!;
      services.set(name.toLowerCase(), p);
      resolveServicePolicy(name, options.defaults, p); // validate up front
    }
  }
  if (options.defaults !== undefined) resolveServicePolicy('*', options.defaults, undefined);
  const unknownHosts = options.unknownHosts ?? 'refuse';
  if (unknownHosts !== 'passthrough' && unknownHosts !== 'refuse') {
    throw new RangeError(`unknownHosts must be 'passthrough' or 'refuse', got ${String(unknownHosts)}`);
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
  const timerResolutionMs = options.timerResolutionMs ?? 5;
  if (typeof timerResolutionMs !== 'number' || !(timerResolutionMs >= 1 && timerResolutionMs <= 1_000)) {
    throw new RangeError(`timerResolutionMs must be a number in [1, 1000], got ${String(timerResolutionMs)}`);
  }
  const clock = options.clock ?? defaultClock;
  if (typeof clock?.now !== 'function') throw new TypeError('clock must be an object with a now() method');
  const random = options.random ?? Math.random;
  if (typeof random !== 'function') throw new TypeError('random must be a function');
  return Object.freeze({
    registry: r,
    services,
    defaults: options.defaults,
    unknownHosts,
    metrics: options.metrics,
    tracing,
    propagateDeadline: options.propagateDeadline ?? true,
    evaluateIntervalMs,
    timerResolutionMs,
    clock,
    random,
  });
}
