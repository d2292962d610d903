import { ConsulRegistry } from './consul-registry.js';
import { checkDnsServer } from './dns-srv-options.js';
import { DnsSrvRegistry } from './dns-srv-registry.js';
import { InvalidConfigError } from './errors.js';
import { EtcdRegistry } from './etcd-registry.js';
import type { Logger } from './logger.js';
import type { Registry } from './registry.js';
import { StaticRegistry } from './static-registry.js';

export type Env = Readonly<Record<string, string | undefined>>;

export type RegistryKind = 'static' | 'consul' | 'dns' | 'etcd';

function list(env: Env, name: string): string[] | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const items = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (items.length === 0) throw new InvalidConfigError(`${name} must list at least one entry`);
  return items;
}

function milliseconds(env: Env, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  if (!/^\d+$/.test(raw.trim()) || Number(raw) <= 0) {
    throw new InvalidConfigError(`${name} must be a positive whole number of milliseconds, got "${raw}"`);
  }
  return Number(raw);
}

function wrap<T>(variable: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof InvalidConfigError && error.message.includes(variable)) throw error;
    throw new InvalidConfigError(`${variable}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Builds a registry from environment variables, so one program can run against any of them:
 *
 * - `BREAKWATER_REGISTRY` = `static` (default) | `consul` | `dns` | `etcd`
 * - static: `BREAKWATER_STATIC_SERVICES` (or `BREAKWATER_ENDPOINTS`), the static string format
 * - consul: `CONSUL_HTTP_ADDR`, `CONSUL_HTTP_TOKEN`, … (as ConsulRegistry.fromEnv)
 * - dns: `BREAKWATER_DNS_SERVERS` (comma-separated `ip[:port]`; default the system's),
 *   `BREAKWATER_DNS_SRV_TEMPLATE` (`{service}` is replaced; default `{service}`),
 *   `BREAKWATER_DNS_MIN_TTL_MS`, `BREAKWATER_DNS_MAX_TTL_MS`
 * - etcd: `ETCD_ENDPOINTS` (comma-separated URLs; default `http://127.0.0.1:2379`), `BREAKWATER_ETCD_PREFIX`
 *
 * Invalid values throw InvalidConfigError naming the variable.
 */
export function registryFromEnv(env: Env = process.env, options: { logger?: Logger } = {}): Registry {
  const kind = (env.BREAKWATER_REGISTRY ?? 'static').trim().toLowerCase() || 'static';
  const logger = options.logger;
  switch (kind) {
    case 'static': {
      const variable =
        env.BREAKWATER_STATIC_SERVICES !== undefined ? 'BREAKWATER_STATIC_SERVICES' : 'BREAKWATER_ENDPOINTS';
      if (env[variable] === undefined) {
        throw new InvalidConfigError(
          'BREAKWATER_STATIC_SERVICES is not set (BREAKWATER_REGISTRY=static needs the service list)',
        );
      }
      return StaticRegistry.fromEnv(variable, env, logger === undefined ? {} : { logger });
    }
    case 'consul':
      return wrap('CONSUL_HTTP_ADDR', () =>
        ConsulRegistry.fromEnv(logger === undefined ? {} : { logger }, env),
      );
    case 'dns': {
      const servers = list(env, 'BREAKWATER_DNS_SERVERS');
      for (const s of servers ?? []) wrap('BREAKWATER_DNS_SERVERS', () => checkDnsServer(s));
      const template = env.BREAKWATER_DNS_SRV_TEMPLATE?.trim() || '{service}';
      if (!template.includes('{service}')) {
        throw new InvalidConfigError(`BREAKWATER_DNS_SRV_TEMPLATE must contain {service}, got "${template}"`);
      }
      const minTtlMs = milliseconds(env, 'BREAKWATER_DNS_MIN_TTL_MS');
      const maxTtlMs = milliseconds(env, 'BREAKWATER_DNS_MAX_TTL_MS');
      return wrap(
        'BREAKWATER_DNS_MAX_TTL_MS',
        () =>
          new DnsSrvRegistry({
            ...(servers === undefined ? {} : { servers }),
            srvName: (service) => template.replaceAll('{service}', service),
            ...(minTtlMs === undefined ? {} : { minTtlMs }),
            ...(maxTtlMs === undefined ? {} : { maxTtlMs }),
            ...(logger === undefined ? {} : { logger }),
          }),
      );
    }
    case 'etcd': {
      const hosts = list(env, 'ETCD_ENDPOINTS');
      for (const h of hosts ?? []) {
        if (
          !/^(https?:\/\/)?[^/\s:]+:\d{1,5}\/?$/.test(h) &&
          !/^(https?:\/\/)?\[[0-9a-fA-F:.]+\]:\d{1,5}\/?$/.test(h)
        ) {
          throw new InvalidConfigError(`ETCD_ENDPOINTS entries must be http(s)://host:port, got "${h}"`);
        }
      }
      const prefix = env.BREAKWATER_ETCD_PREFIX;
      if (prefix !== undefined && (prefix === '' || !prefix.endsWith('/'))) {
        throw new InvalidConfigError(
          `BREAKWATER_ETCD_PREFIX must be a non-empty key prefix ending in "/", got "${prefix}"`,
        );
      }
      return new EtcdRegistry({
        ...(hosts === undefined ? {} : { hosts }),
        ...(prefix === undefined ? {} : { prefix }),
        ...(logger === undefined ? {} : { logger }),
      });
    }
    default:
      throw new InvalidConfigError(
        `BREAKWATER_REGISTRY must be static, consul, dns or etcd, got "${env.BREAKWATER_REGISTRY}"`,
      );
  }
}
