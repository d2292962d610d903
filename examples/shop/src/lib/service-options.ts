// Options every service takes, and how a process reads them from its environment (shop-contract).
import type { LogLevel, LogSink } from './logger.js';
import { isLogLevel } from './logger.js';

export type Env = Readonly<Record<string, string | undefined>>;

export interface ServiceOptions {
  /** Default '127.0.0.1'. */
  readonly host?: string;
  /** Default 0 (any free port). */
  readonly port?: number;
  /** Default `<service>-<pid>`. */
  readonly instance?: string;
  /** When set (CONSUL_HTTP_ADDR), the service registers itself with that Consul agent. */
  readonly consulAddress?: string;
  /** Where JSON log lines go. Default stdout. */
  readonly log?: LogSink;
  /** Default 'info' (LOG_LEVEL). */
  readonly logLevel?: LogLevel;
  /** Bound on the graceful drain in close(). Default 2,000 ms. */
  readonly drainTimeoutMs?: number;
}

export interface ResolvedServiceOptions {
  readonly host: string;
  readonly port: number;
  readonly instance: string;
  readonly consulAddress: string | undefined;
  readonly log: LogSink | undefined;
  readonly logLevel: LogLevel;
  readonly drainTimeoutMs: number;
}

export function checkPort(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new RangeError(`${name} must be an integer in [0, 65535], got ${value}`);
  }
  return value;
}

export function resolveServiceOptions(service: string, options: ServiceOptions): ResolvedServiceOptions {
  const o = { host: '127.0.0.1', port: 0, drainTimeoutMs: 2_000, logLevel: 'info' as LogLevel, ...options };
  if (typeof o.host !== 'string' || o.host === '') throw new TypeError('host must be a non-empty string');
  checkPort('port', o.port);
  if (!(Number.isFinite(o.drainTimeoutMs) && o.drainTimeoutMs >= 0)) {
    throw new RangeError(`drainTimeoutMs must be a number >= 0, got ${o.drainTimeoutMs}`);
  }
  if (!isLogLevel(o.logLevel)) throw new RangeError(`logLevel must be debug, info, warn or error`);
  if (o.instance !== undefined && (typeof o.instance !== 'string' || o.instance === '')) {
    throw new TypeError('instance must be a non-empty string');
  }
  if (o.consulAddress !== undefined && (typeof o.consulAddress !== 'string' || o.consulAddress === '')) {
    throw new TypeError('consulAddress must be a non-empty string');
  }
  return Object.freeze({
    host: o.host,
    port: o.port,
    instance: o.instance ?? `${service}-${process.pid}`,
    consulAddress: o.consulAddress,
    log: o.log,
    logLevel: o.logLevel,
    drainTimeoutMs: o.drainTimeoutMs,
  });
}

function portFromEnv(env: Env, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  if (!/^\d+$/.test(raw.trim())) throw new RangeError(`${name} must be a port number, got "${raw}"`);
  return checkPort(name, Number(raw));
}

function nonEmpty(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  return raw === undefined || raw === '' ? undefined : raw;
}

/** HOST, PORT, INSTANCE_ID, CONSUL_HTTP_ADDR, LOG_LEVEL (and ADMIN_PORT, read by pricing). */
export function serviceOptionsFromEnv(env: Env): ServiceOptions & { adminPort?: number } {
  const level = nonEmpty(env, 'LOG_LEVEL');
  if (level !== undefined && !isLogLevel(level)) {
    throw new RangeError(`LOG_LEVEL must be debug, info, warn or error, got "${level}"`);
  }
  const out: { -readonly [K in keyof (ServiceOptions & { adminPort?: number })]?: unknown } = {};
  const host = nonEmpty(env, 'HOST');
  const port = portFromEnv(env, 'PORT');
  const adminPort = portFromEnv(env, 'ADMIN_PORT');
  const instance = nonEmpty(env, 'INSTANCE_ID');
  const consul = nonEmpty(env, 'CONSUL_HTTP_ADDR');
  if (host !== undefined) out.host = host;
  if (port !== undefined) out.port = port;
  if (adminPort !== undefined) out.adminPort = adminPort;
  if (instance !== undefined) out.instance = instance;
  if (consul !== undefined) out.consulAddress = consul;
  if (level !== undefined) out.logLevel = level;
  return out as ServiceOptions & { adminPort?: number };
}
