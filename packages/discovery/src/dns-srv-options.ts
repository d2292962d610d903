import { isIP } from 'node:net';
import { type BackoffOptions, validateBackoff } from './backoff.js';
import { type Random, systemRandom } from './clock.js';
import { unrefSleep } from './dns-srv-sleep.js';
import type { Logger } from './logger.js';
import type { Sleep } from './sleep.js';

export type DnsFamily = 4 | 6 | 'any';

export interface DnsSrvRegistryOptions {
  /**
   * DNS servers as `ip`, `ip:port` or `[ipv6]:port` (what `dns.Resolver#setServers` accepts).
   * Default: the system's resolvers (`/etc/resolv.conf`).
   */
  servers?: readonly string[];
  /**
   * Maps a service name to the SRV name queried. Default: the service name as given. For Kubernetes:
   * `(s) => \`_http._tcp.${s}.default.svc.cluster.local\``.
   */
  srvName?: (service: string) => string;
  /** Address records of the SRV targets: 4 (A), 6 (AAAA) or 'any' (both). Default 'any'. */
  family?: DnsFamily;
  /** Lower bound of the refresh interval (and the interval when no TTL is known). Default 1,000 ms. */
  minTtlMs?: number;
  /** Upper bound of the refresh interval. Default 30,000 ms. */
  maxTtlMs?: number;
  /** Per-query timeout of the resolver (c-ares `timeout`). Default 2,000 ms. */
  timeoutMs?: number;
  /** Attempts per query (c-ares `tries`). Default 2. */
  tries?: number;
  /** Backoff after failed refreshes (exponential, full jitter). Default { initialMs: 250, maxMs: 30000, multiplier: 2 }. */
  backoff?: BackoffOptions;
  random?: Random;
  /** Waits between refreshes; the default uses unref'd timers. Injectable so tests need not wait. */
  sleep?: Sleep;
  logger?: Logger;
}

export interface ResolvedDnsSrvOptions {
  servers: readonly string[] | undefined;
  srvName: (service: string) => string;
  family: DnsFamily;
  minTtlMs: number;
  maxTtlMs: number;
  timeoutMs: number;
  tries: number;
  backoff: Required<BackoffOptions>;
  random: Random;
  sleep: Sleep;
}

/** Checks one server string the way `setServers` will read it; throws TypeError naming the option. */
export function checkDnsServer(server: string, option = 'servers'): void {
  let host = server;
  let port: string | undefined;
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(server);
  if (bracket !== null) {
    host = bracket[1]!;
    port = bracket[2];
  } else if (server.split(':').length === 2) {
    [host, port] = server.split(':') as [string, string];
  }
  const portOk = port === undefined || (/^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535);
  if (isIP(host) === 0 || !portOk) {
    throw new TypeError(
      `${option} entries must be ip, ip:port or [ipv6]:port, got ${JSON.stringify(server)}`,
    );
  }
}

function positive(name: string, v: number): number {
  if (!(Number.isFinite(v) && v > 0)) throw new RangeError(`${name} must be a positive number, got ${v}`);
  return v;
}

export function resolveDnsSrvOptions(o: DnsSrvRegistryOptions): ResolvedDnsSrvOptions {
  if (o.servers !== undefined) {
    if (!Array.isArray(o.servers) || o.servers.length === 0) {
      throw new TypeError('servers must be a non-empty array of addresses');
    }
    for (const s of o.servers) checkDnsServer(String(s));
  }
  if (o.srvName !== undefined && typeof o.srvName !== 'function') {
    throw new TypeError('srvName must be a function (service) => string');
  }
  const family = o.family ?? 'any';
  if (family !== 4 && family !== 6 && family !== 'any') {
    throw new TypeError(`family must be 4, 6 or 'any', got ${String(family)}`);
  }
  const minTtlMs = positive('minTtlMs', o.minTtlMs ?? 1_000);
  const maxTtlMs = positive('maxTtlMs', o.maxTtlMs ?? 30_000);
  if (maxTtlMs < minTtlMs) throw new RangeError(`maxTtlMs must be >= minTtlMs, got ${maxTtlMs}`);
  const tries = o.tries ?? 2;
  if (!(Number.isInteger(tries) && tries >= 1))
    throw new RangeError(`tries must be a positive integer, got ${tries}`);
  const timeoutMs = positive('timeoutMs', o.timeoutMs ?? 2_000);
  return {
    servers: o.servers === undefined ? undefined : Object.freeze([...o.servers]),
    srvName: o.srvName ?? ((service) => service),
    family,
    minTtlMs,
    maxTtlMs,
    timeoutMs: Math.round(timeoutMs),
    tries,
    backoff: validateBackoff({ initialMs: 250, maxMs: 30_000, multiplier: 2, ...o.backoff }),
    random: o.random ?? systemRandom,
    sleep: o.sleep ?? unrefSleep,
  };
}
