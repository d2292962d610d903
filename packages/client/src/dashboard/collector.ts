// Subscribes to the client's `breakwater:*` diagnostics channels (so it sees every client in the
// process) and aggregates per service and endpoint. The subscribers run inside every call: they
// look records up in Maps and bump counters; events (rare) are the only allocations.
import diagnostics from 'node:diagnostics_channel';
import type { Clock } from '../clock.js';
import { EventLog } from './event-log.js';
import { ServiceRecord } from './records.js';
import type { DashboardEventKind } from './types.js';

interface RequestEnd {
  service: string;
  outcome: string;
  durationMs: number;
}
interface AttemptEnd {
  service: string;
  endpoint: string;
  outcome: string;
  durationMs: number;
}
interface ServiceMessage {
  service: string;
}
interface BreakerState {
  service: string;
  endpoint: string | undefined;
  from: string;
  to: string;
}
interface Eject {
  service: string;
  endpoint: string;
  reason: string;
  durationMs: number;
  ejections: number;
}
interface Uneject {
  service: string;
  endpoint: string;
}
interface Endpoints {
  service: string;
  endpoints: readonly string[];
}
interface DiscoveryError {
  service: string;
  error: unknown;
}

export interface CollectorOptions {
  readonly clock: Clock;
  readonly intervalMs: number;
  readonly historyPoints: number;
  readonly maxEvents: number;
}

export class Collector {
  readonly services = new Map<string, ServiceRecord>();
  readonly events: EventLog;
  readonly #clock: Clock;
  readonly #intervalMs: number;
  readonly #points: number;
  #intervalStart: number;
  #subscriptions: [string, (message: unknown) => void][] = [];

  constructor(options: CollectorOptions) {
    this.#clock = options.clock;
    this.#intervalMs = options.intervalMs;
    this.#points = options.historyPoints;
    this.events = new EventLog(options.maxEvents);
    this.#intervalStart = options.clock.now();
  }

  /** Subscribes to the channels (idempotent). */
  subscribe(): void {
    if (this.#subscriptions.length > 0) return;
    const subs: [string, (message: unknown) => void][] = [
      ['breakwater:request:end', (m) => this.#onRequestEnd(m as RequestEnd)],
      ['breakwater:attempt:end', (m) => this.#onAttemptEnd(m as AttemptEnd)],
      ['breakwater:retry', (m) => this.#onRetry(m as ServiceMessage)],
      ['breakwater:hedge', (m) => this.#onHedge(m as ServiceMessage)],
      ['breakwater:budget:exhausted', (m) => this.#onBudgetExhausted(m as ServiceMessage)],
      ['breakwater:breaker:state', (m) => this.#onBreakerState(m as BreakerState)],
      ['breakwater:eject', (m) => this.#onEject(m as Eject)],
      ['breakwater:uneject', (m) => this.#onUneject(m as Uneject)],
      ['breakwater:endpoints', (m) => this.#onEndpoints(m as Endpoints)],
      ['breakwater:discovery:error', (m) => this.#onDiscoveryError(m as DiscoveryError)],
    ];
    for (const [name, fn] of subs) diagnostics.subscribe(name, fn);
    this.#subscriptions = subs;
  }

  unsubscribe(): void {
    for (const [name, fn] of this.#subscriptions) diagnostics.unsubscribe(name, fn);
    this.#subscriptions = [];
  }

  /** The record of a service, created on first sight. */
  service(name: string): ServiceRecord {
    let s = this.services.get(name);
    if (s === undefined) {
      s = new ServiceRecord(name, this.#points);
      this.services.set(name, s);
    }
    return s;
  }

  /** Closes the current interval now, whatever its length (the push timer, tests). */
  tick(): void {
    const now = this.#clock.now();
    const seconds = Math.max(0.001, (now - this.#intervalStart) / 1000);
    this.#intervalStart = now;
    for (const s of this.services.values()) s.close(seconds);
  }

  /** Closes the interval if it has run its length: lazy, for snapshots read without a stream open. */
  maybeTick(): void {
    if (this.#clock.now() - this.#intervalStart >= this.#intervalMs) this.tick();
  }

  #event(kind: DashboardEventKind, service: string, endpoint: string | undefined, detail: string): void {
    const at = Math.round(this.#clock.now());
    this.events.add(
      endpoint === undefined ? { at, service, kind, detail } : { at, service, endpoint, kind, detail },
    );
  }

  #onRequestEnd(m: RequestEnd): void {
    const s = this.services.get(m.service) ?? this.service(m.service);
    const outcome = m.outcome;
    s.requests++;
    s.totalRequests++;
    if (outcome === 'success') {
      s.successes++;
      s.totalSuccesses++;
    } else if (outcome !== 'cancelled') {
      // The caller's own abort says nothing about the service; everything else is a failure.
      s.failures++;
      s.totalFailures++;
    }
    // Refusals (open breaker, full bulkhead) take no time: they would drag the percentiles to 0.
    if (outcome !== 'rejected' && outcome !== 'cancelled') s.latency.record(m.durationMs);
  }

  #onAttemptEnd(m: AttemptEnd): void {
    const s = this.services.get(m.service) ?? this.service(m.service);
    const e = s.endpoints.get(m.endpoint) ?? s.endpoint(m.endpoint);
    e.attempts++;
    e.totalAttempts++;
    const outcome = m.outcome;
    if (outcome === 'cancelled') {
      e.cancelled++;
      return;
    }
    if (outcome !== 'success') {
      e.failures++;
      e.totalFailures++;
    }
    e.latency.record(m.durationMs);
  }

  #onRetry(m: ServiceMessage): void {
    const s = this.services.get(m.service) ?? this.service(m.service);
    s.retries++;
    s.totalRetries++;
  }

  #onHedge(m: ServiceMessage): void {
    const s = this.services.get(m.service) ?? this.service(m.service);
    s.hedges++;
    s.totalHedges++;
  }

  #onBudgetExhausted(m: ServiceMessage): void {
    const s = this.services.get(m.service) ?? this.service(m.service);
    s.budgetExhausted++;
    s.totalBudgetExhausted++;
  }

  #onBreakerState(m: BreakerState): void {
    const s = this.service(m.service);
    s.breakerTransitions++;
    if (m.endpoint === undefined) s.breaker = m.to;
    else {
      const e = s.endpoint(m.endpoint);
      e.breaker = m.to;
      e.breakerTransitions++;
    }
    this.#event('breaker', m.service, m.endpoint, `${m.from} → ${m.to}`);
  }

  #onEject(m: Eject): void {
    const s = this.service(m.service);
    const e = s.endpoint(m.endpoint);
    s.ejections++;
    e.ejections++;
    e.ejected = true;
    this.#event('eject', m.service, m.endpoint, `${m.reason} for ${Math.round(m.durationMs)} ms`);
  }

  #onUneject(m: Uneject): void {
    const e = this.service(m.service).endpoints.get(m.endpoint);
    if (e !== undefined) e.ejected = false;
    this.#event('uneject', m.service, m.endpoint, 'back in rotation');
  }

  #onEndpoints(m: Endpoints): void {
    const s = this.service(m.service);
    const next = new Set(m.endpoints);
    for (const id of next) {
      if (s.endpoints.has(id)) continue;
      s.endpoint(id);
      this.#event('endpoint-added', m.service, id, 'appeared in the registry');
    }
    // Bounded memory: an endpoint that left is reported once, then forgotten.
    for (const id of s.endpoints.keys()) {
      if (next.has(id)) continue;
      s.endpoints.delete(id);
      this.#event('endpoint-removed', m.service, id, 'left the registry');
    }
  }

  #onDiscoveryError(m: DiscoveryError): void {
    const e = m.error;
    const text = e instanceof Error ? e.message : String(e);
    this.service(m.service);
    this.#event('discovery-error', m.service, undefined, text.length > 200 ? `${text.slice(0, 200)}…` : text);
  }
}
