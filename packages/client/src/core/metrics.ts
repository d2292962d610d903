// Optional prom-client metrics. prom-client is an optional peer dependency, loaded lazily with
// createRequire only when the user passes a registry. Label children are cached per service and
// per endpoint so the hot path does no label hashing.
import { createRequire } from 'node:module';

interface Child {
  inc(v?: number): void;
}
interface HistChild {
  observe(v: number): void;
}
interface LabelledCounter {
  labels(...values: string[]): Child;
  remove(...values: string[]): void;
}
interface LabelledHistogram {
  labels(...values: string[]): HistChild;
  remove(...values: string[]): void;
}
interface LabelledGauge {
  set(labels: Record<string, string>, value: number): void;
  remove(...values: string[]): void;
}
interface PromClient {
  Counter: new (cfg: object) => LabelledCounter;
  Histogram: new (cfg: object) => LabelledHistogram;
  Gauge: new (cfg: object) => LabelledGauge;
}

export const CALL_OUTCOMES = [
  'success',
  'server_error',
  'error',
  'rejected',
  'cancelled',
  'deadline',
] as const;
export type CallOutcome = (typeof CALL_OUTCOMES)[number];
export const ATTEMPT_OUTCOMES = [
  'success',
  'error',
  'gateway-error',
  'local-origin-error',
  'cancelled',
] as const;
export type AttemptOutcome = (typeof ATTEMPT_OUTCOMES)[number];

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Source of gauge values, read at scrape time. */
export interface GaugeSource {
  forEachService(
    fn: (service: string, s: { inFlight: number; queued: number; total: number; healthy: number }) => void,
  ): void;
}

export class ServiceMetrics {
  readonly calls: Record<CallOutcome, Child>;
  readonly callLatency: Record<CallOutcome, HistChild>;
  readonly retries: Child;
  readonly hedges: Child;
  readonly budgetExhausted: Child;

  constructor(m: ClientMetrics, service: string) {
    const calls = {} as Record<CallOutcome, Child>;
    const lat = {} as Record<CallOutcome, HistChild>;
    for (const o of CALL_OUTCOMES) {
      calls[o] = m.requests.labels(service, o);
      lat[o] = m.requestDuration.labels(service, o);
    }
    this.calls = calls;
    this.callLatency = lat;
    this.retries = m.retries.labels(service);
    this.hedges = m.hedges.labels(service);
    this.budgetExhausted = m.budgetExhausted.labels(service);
  }
}

export class EndpointMetrics {
  readonly attempts: Record<AttemptOutcome, Child>;
  readonly latency: HistChild;
  readonly #m: ClientMetrics;
  readonly #service: string;
  readonly #endpoint: string;

  constructor(m: ClientMetrics, service: string, endpoint: string) {
    const a = {} as Record<AttemptOutcome, Child>;
    for (const o of ATTEMPT_OUTCOMES) a[o] = m.attempts.labels(service, endpoint, o);
    this.attempts = a;
    this.latency = m.attemptDuration.labels(service, endpoint);
    this.#m = m;
    this.#service = service;
    this.#endpoint = endpoint;
  }

  breakerState(state: string): void {
    this.#m.breakerState.set({ service: this.#service, endpoint: this.#endpoint }, BREAKER_VALUE[state] ?? 0);
  }

  ejected(reason: string): void {
    this.#m.ejections.labels(this.#service, this.#endpoint, reason).inc();
  }

  /** The endpoint left: drop its series so departed endpoints do not accumulate. */
  remove(): void {
    for (const o of ATTEMPT_OUTCOMES) this.#m.attempts.remove(this.#service, this.#endpoint, o);
    this.#m.attemptDuration.remove(this.#service, this.#endpoint);
    this.#m.breakerState.remove(this.#service, this.#endpoint);
  }
}

export const BREAKER_VALUE: Readonly<Record<string, number>> = Object.freeze({
  closed: 0,
  'half-open': 1,
  open: 2,
  isolated: 3,
});

export class ClientMetrics {
  readonly requests: LabelledCounter;
  readonly requestDuration: LabelledHistogram;
  readonly attempts: LabelledCounter;
  readonly attemptDuration: LabelledHistogram;
  readonly retries: LabelledCounter;
  readonly hedges: LabelledCounter;
  readonly budgetExhausted: LabelledCounter;
  readonly ejections: LabelledCounter;
  readonly breakerState: LabelledGauge;

  constructor(registry: unknown, prefix: string, source: GaugeSource) {
    const prom = loadPromClient();
    const registers = [registry];
    const p = prefix;
    this.requests = new prom.Counter({
      name: `${p}requests_total`,
      help: 'Logical calls, by service and final outcome',
      labelNames: ['service', 'outcome'],
      registers,
    });
    this.requestDuration = new prom.Histogram({
      name: `${p}request_duration_seconds`,
      help: 'Duration of logical calls until response headers (or failure), retries included',
      labelNames: ['service', 'outcome'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.attempts = new prom.Counter({
      name: `${p}attempts_total`,
      help: 'Attempts (physical requests), by service, endpoint and outcome',
      labelNames: ['service', 'endpoint', 'outcome'],
      registers,
    });
    this.attemptDuration = new prom.Histogram({
      name: `${p}attempt_duration_seconds`,
      help: 'Duration of attempts until response headers (or failure)',
      labelNames: ['service', 'endpoint'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.retries = new prom.Counter({
      name: `${p}retries_total`,
      help: 'Retries scheduled',
      labelNames: ['service'],
      registers,
    });
    this.hedges = new prom.Counter({
      name: `${p}hedges_total`,
      help: 'Hedged (backup) attempts started',
      labelNames: ['service'],
      registers,
    });
    this.budgetExhausted = new prom.Counter({
      name: `${p}retry_budget_exhausted_total`,
      help: 'Retries or hedges refused by the retry budget',
      labelNames: ['service'],
      registers,
    });
    this.ejections = new prom.Counter({
      name: `${p}ejections_total`,
      help: 'Outlier ejections',
      labelNames: ['service', 'endpoint', 'reason'],
      registers,
    });
    this.breakerState = new prom.Gauge({
      name: `${p}breaker_state`,
      help: 'Circuit breaker state: 0 closed, 1 half-open, 2 open, 3 isolated (endpoint "*" = service breaker)',
      labelNames: ['service', 'endpoint'],
      registers,
    });
    new prom.Gauge({
      name: `${p}bulkhead_in_flight`,
      help: 'Logical calls holding a bulkhead slot',
      labelNames: ['service'],
      registers,
      collect(this: LabelledGauge) {
        source.forEachService((service, s) => this.set({ service }, s.inFlight));
      },
    });
    new prom.Gauge({
      name: `${p}bulkhead_queued`,
      help: 'Logical calls waiting for a bulkhead slot',
      labelNames: ['service'],
      registers,
      collect(this: LabelledGauge) {
        source.forEachService((service, s) => this.set({ service }, s.queued));
      },
    });
    new prom.Gauge({
      name: `${p}endpoints`,
      help: 'Endpoints per service: all in the snapshot, and healthy (not ejected, breaker not open)',
      labelNames: ['service', 'state'],
      registers,
      collect(this: LabelledGauge) {
        source.forEachService((service, s) => {
          this.set({ service, state: 'total' }, s.total);
          this.set({ service, state: 'healthy' }, s.healthy);
        });
      },
    });
  }
}

let prom: PromClient | undefined;

function loadPromClient(): PromClient {
  if (prom !== undefined) return prom;
  const require = createRequire(import.meta.url);
  try {
    prom = require('prom-client') as PromClient;
  } catch (cause) {
    throw new TypeError('metrics needs the optional peer dependency prom-client (npm i prom-client)', {
      cause,
    });
  }
  return prom;
}
