// createDashboard's options: defaults, validation at construction (errors name the option).
import type { Clock } from '../clock.js';
import type { DashboardSource } from './types.js';

export interface DashboardOptions {
  /** Clients (or anything with inspect()) whose live state (breakers, bulkhead, budget, endpoints) is shown. */
  sources?: readonly DashboardSource[];
  /** Aggregation and SSE push interval, ms. Default 1000. */
  intervalMs?: number;
  /** Points per sparkline (intervals of history kept). Default 60. */
  historyPoints?: number;
  /** Prefix stripped from `req.url` when mounted on bare node:http, e.g. '/dashboard'. Default ''. */
  basePath?: string;
  /** Shown in the page's title and header. Default 'Breakwater'. */
  title?: string;
  /** Events kept (breaker transitions, ejections, endpoints appearing/leaving). Default 200. */
  maxEvents?: number;
  /** Open SSE streams allowed at once; more get 503. Default 64. */
  maxClients?: number;
  /** Epoch milliseconds (default `performance.timeOrigin + performance.now()`: monotonic). */
  clock?: Clock;
}

export interface ResolvedDashboardOptions {
  readonly sources: readonly DashboardSource[];
  readonly intervalMs: number;
  readonly historyPoints: number;
  readonly basePath: string;
  readonly title: string;
  readonly maxEvents: number;
  readonly maxClients: number;
  readonly clock: Clock;
}

const epochClock: Clock = Object.freeze({ now: () => performance.timeOrigin + performance.now() });

export const DASHBOARD_DEFAULTS = Object.freeze({
  sources: Object.freeze([]) as readonly DashboardSource[],
  intervalMs: 1000,
  historyPoints: 60,
  basePath: '',
  title: 'Breakwater',
  maxEvents: 200,
  maxClients: 64,
  clock: epochClock,
});

function integer(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}

export function isDashboardSource(s: unknown): s is DashboardSource {
  return typeof s === 'object' && s !== null && typeof (s as DashboardSource).inspect === 'function';
}

export function checkSource(s: unknown, name = 'source'): DashboardSource {
  if (!isDashboardSource(s)) throw new TypeError(`${name} must be an object with an inspect() method`);
  return s;
}

export function resolveDashboardOptions(options: DashboardOptions = {}): ResolvedDashboardOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
  const o = { ...DASHBOARD_DEFAULTS, ...stripUndefined(options) };
  if (!Array.isArray(o.sources)) throw new TypeError('sources must be an array of objects with inspect()');
  for (const [i, s] of o.sources.entries()) checkSource(s, `sources[${i}]`);
  integer('intervalMs', o.intervalMs, 10, 3_600_000);
  integer('historyPoints', o.historyPoints, 2, 3600);
  integer('maxEvents', o.maxEvents, 1, 100_000);
  integer('maxClients', o.maxClients, 1, 10_000);
  if (typeof o.basePath !== 'string' || (o.basePath !== '' && !/^\/[^?#]*[^/?#]$/.test(o.basePath))) {
    throw new RangeError(
      `basePath must be '' or start with '/' and not end with '/', got ${JSON.stringify(o.basePath)}`,
    );
  }
  if (typeof o.title !== 'string' || o.title.length > 200) {
    throw new TypeError('title must be a string of at most 200 characters');
  }
  if (typeof o.clock !== 'object' || o.clock === null || typeof o.clock.now !== 'function') {
    throw new TypeError('clock must be an object with a now() method');
  }
  return Object.freeze({ ...o, sources: Object.freeze([...o.sources]) });
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}
