// Options of createGateway, their defaults and their validation (at construction; never mutated).
import type { CreateHttpClientOptions, ServicePolicy } from '@breakwater/client';
import type { Registry } from '@breakwater/discovery';
import type { Clock } from './clock.js';

/** Structured log sink (the CLI prints JSON lines). */
export interface GatewayLogger {
  info(message: string, fields?: Readonly<Record<string, unknown>>): void;
  warn(message: string, fields?: Readonly<Record<string, unknown>>): void;
}

/** What the gateway needs of a prom-client `Registry`. */
export interface MetricsRegistry {
  readonly contentType: string;
  metrics(): Promise<string>;
}

export interface GatewayOptions {
  /** Where instances come from: any @breakwater/discovery Registry. Not closed by the gateway. */
  registry: Registry;
  /**
   * The services routed, with their Breakwater policies (an allowlist). Default: every service the
   * registry lists through `services()` (StaticRegistry); required for registries that cannot list
   * theirs (Consul, DNS SRV, etcd).
   */
  services?: Readonly<Record<string, ServicePolicy>>;
  /** Passed to createHttpClient (defaults, tracing, propagateDeadline, undici options, …). */
  client?: Omit<CreateHttpClientOptions, 'registry' | 'services'>;
  /** Default total time per request, response body included, ms (default 15,000; 0 = none). Per-service policies override it. */
  timeoutMs?: number;
  /** Largest request head (request line and headers) accepted, bytes (default 16,384, Node's): 431 beyond. */
  maxHeaderBytes?: number;
  /** Largest request body accepted, bytes (default 10 MiB; Infinity = none): 413 beyond. */
  maxBodyBytes?: number;
  /** Bodies of known length up to this size are buffered so they can be retried (default 64 KiB). */
  maxBufferedBodyBytes?: number;
  /** Keep and extend inbound Forwarded / X-Forwarded-* (default false: an edge gateway replaces them). */
  trustForwarded?: boolean;
  /** A prom-client Registry: the client's metrics are registered in it and served at `/metrics`. */
  metrics?: { registry: MetricsRegistry };
  logger?: GatewayLogger;
  clock?: Clock;
}

export interface ResolvedGatewayOptions {
  readonly timeoutMs: number;
  readonly maxHeaderBytes: number;
  readonly maxBodyBytes: number;
  readonly maxBufferedBodyBytes: number;
  readonly trustForwarded: boolean;
}

export const GATEWAY_DEFAULTS: ResolvedGatewayOptions = Object.freeze({
  timeoutMs: 15_000,
  maxHeaderBytes: 16_384,
  maxBodyBytes: 10 * 1024 * 1024,
  maxBufferedBodyBytes: 64 * 1024,
  trustForwarded: false,
});

function nonNegative(name: string, v: number, allowInfinity: boolean): void {
  const ok =
    typeof v === 'number' &&
    v >= 0 &&
    (Number.isSafeInteger(v) || (allowInfinity && v === Number.POSITIVE_INFINITY));
  if (!ok)
    throw new RangeError(
      `${name} must be a non-negative integer${allowInfinity ? ' or Infinity' : ''}, got ${v}`,
    );
}

export function resolveGatewayOptions(options: GatewayOptions): ResolvedGatewayOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
  const r = options.registry as Partial<Registry> | undefined;
  if (
    typeof r !== 'object' ||
    r === null ||
    typeof r.watch !== 'function' ||
    typeof r.resolve !== 'function'
  ) {
    throw new TypeError('registry must be a @breakwater/discovery Registry');
  }
  const services = options.services;
  if (services !== undefined && (typeof services !== 'object' || services === null)) {
    throw new TypeError('services must be an object of service policies');
  }
  if (services === undefined && typeof (r as { services?: unknown }).services !== 'function') {
    throw new TypeError(
      'services is required: this registry cannot list its services (only registries with services(), such as StaticRegistry, can)',
    );
  }
  if (
    options.logger !== undefined &&
    (typeof options.logger?.warn !== 'function' || typeof options.logger.info !== 'function')
  ) {
    throw new TypeError('logger must have info() and warn()');
  }
  if (options.metrics !== undefined && typeof options.metrics?.registry?.metrics !== 'function') {
    throw new TypeError('metrics.registry must be a prom-client Registry');
  }
  if (options.clock !== undefined && typeof options.clock?.now !== 'function') {
    throw new TypeError('clock must have now()');
  }
  const o = { ...GATEWAY_DEFAULTS, ...stripUndefined(options) };
  nonNegative('timeoutMs', o.timeoutMs, false);
  nonNegative('maxHeaderBytes', o.maxHeaderBytes, false);
  if (o.maxHeaderBytes === 0) throw new RangeError('maxHeaderBytes must be a positive integer, got 0');
  nonNegative('maxBodyBytes', o.maxBodyBytes, true);
  nonNegative('maxBufferedBodyBytes', o.maxBufferedBodyBytes, false);
  if (typeof o.trustForwarded !== 'boolean') {
    throw new TypeError(`trustForwarded must be a boolean, got ${String(o.trustForwarded)}`);
  }
  return Object.freeze({
    timeoutMs: o.timeoutMs,
    maxHeaderBytes: o.maxHeaderBytes,
    maxBodyBytes: o.maxBodyBytes,
    maxBufferedBodyBytes: Math.min(o.maxBufferedBodyBytes, o.maxBodyBytes),
    trustForwarded: o.trustForwarded,
  });
}

function stripUndefined(options: GatewayOptions): Partial<ResolvedGatewayOptions> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(GATEWAY_DEFAULTS)) {
    const v = (options as unknown as Record<string, unknown>)[key];
    if (v !== undefined) out[key] = v;
  }
  return out as Partial<ResolvedGatewayOptions>;
}
