import { type BackoffOptions, validateBackoff } from './backoff.js';
import { type Clock, type Random, systemClock, systemRandom } from './clock.js';
import type { ConsulClient, ConsulClientOptions } from './consul-client.js';
import type { Logger } from './logger.js';
import { realSleep, type Sleep } from './sleep.js';

export interface ConsulRegistryOptions {
  /** A shared client; when absent the registry builds (and owns) one from `connection`. */
  client?: ConsulClient;
  /** Used only without `client`. Default: http://127.0.0.1:8500, no token. */
  connection?: ConsulClientOptions;
  /** Keep instances whose checks are at `warning` (weighted by Weights.Warning). Default false (`?passing`). */
  includeWarning?: boolean;
  /** Only instances carrying all these tags (`?tag=` per tag). Default none. */
  tags?: readonly string[];
  /** Datacenter (`?dc=`). Default: the agent's. */
  dc?: string;
  /** Allow any server to answer (`?stale`), for read scale. Default false. */
  stale?: boolean;
  /** Blocking-query `wait`. Default 300,000 ms (Consul's default); at most 600,000 (Consul's cap). */
  waitMs?: number;
  /** The wait sent is reduced by up to this fraction at random, so a fleet's queries do not line up. Default 0.1. */
  waitJitter?: number;
  /** Extra client-side timeout beyond wait + wait/16 (Consul's own jitter). Default 5,000 ms. */
  timeoutMarginMs?: number;
  /** Minimum time between two requests of one watch (rate limit). Default 50 ms. */
  minIntervalMs?: number;
  /** Backoff after errors (exponential, full jitter). */
  backoff?: BackoffOptions;
  /** Service.Meta key whose value becomes Endpoint.zone. Default `zone`. */
  zoneMetaKey?: string;
  /** One-shot resolve results are cached briefly (bounded LRU). Default { max: 1000, ttlMs: 1000 }; ttlMs 0 disables. */
  resolveCache?: { max?: number; ttlMs?: number };
  clock?: Clock;
  random?: Random;
  /** Waits between requests; injectable so tests can run backoff instantly. */
  sleep?: Sleep;
  logger?: Logger;
}

export interface ResolvedConsulRegistryOptions {
  includeWarning: boolean;
  tags: readonly string[];
  dc: string | undefined;
  stale: boolean;
  waitMs: number;
  waitJitter: number;
  timeoutMarginMs: number;
  minIntervalMs: number;
  backoff: Required<BackoffOptions>;
  zoneMetaKey: string;
  resolveCache: { max: number; ttlMs: number };
  clock: Clock;
  random: Random;
  sleep: Sleep;
}

function nonNegative(name: string, v: number): number {
  if (!(Number.isFinite(v) && v >= 0)) throw new RangeError(`${name} must be a number >= 0, got ${v}`);
  return v;
}

export function resolveConsulRegistryOptions(o: ConsulRegistryOptions): ResolvedConsulRegistryOptions {
  const waitMs = o.waitMs ?? 300_000;
  if (!(Number.isFinite(waitMs) && waitMs >= 1 && waitMs <= 600_000)) {
    throw new RangeError(`waitMs must be a number in 1..600000 (Consul's cap is 10 minutes), got ${waitMs}`);
  }
  const waitJitter = o.waitJitter ?? 0.1;
  if (!(waitJitter >= 0 && waitJitter < 1))
    throw new RangeError(`waitJitter must be in [0, 1), got ${waitJitter}`);
  const tags = o.tags ?? [];
  if (!Array.isArray(tags) || tags.some((t) => typeof t !== 'string' || t === '')) {
    throw new TypeError('tags must be an array of non-empty strings');
  }
  if (o.dc !== undefined && (typeof o.dc !== 'string' || o.dc === '')) {
    throw new TypeError('dc must be a non-empty string');
  }
  const zoneMetaKey = o.zoneMetaKey ?? 'zone';
  if (typeof zoneMetaKey !== 'string' || zoneMetaKey === '') {
    throw new TypeError('zoneMetaKey must be a non-empty string');
  }
  const max = o.resolveCache?.max ?? 1000;
  if (!(Number.isInteger(max) && max >= 1))
    throw new RangeError(`resolveCache.max must be a positive integer, got ${max}`);
  return {
    includeWarning: o.includeWarning ?? false,
    tags: Object.freeze([...tags]),
    dc: o.dc,
    stale: o.stale ?? false,
    waitMs,
    waitJitter,
    timeoutMarginMs: nonNegative('timeoutMarginMs', o.timeoutMarginMs ?? 5_000),
    minIntervalMs: nonNegative('minIntervalMs', o.minIntervalMs ?? 50),
    backoff: validateBackoff(o.backoff),
    zoneMetaKey,
    resolveCache: { max, ttlMs: nonNegative('resolveCache.ttlMs', o.resolveCache?.ttlMs ?? 1000) },
    clock: o.clock ?? systemClock,
    random: o.random ?? systemRandom,
    sleep: o.sleep ?? realSleep,
  };
}
