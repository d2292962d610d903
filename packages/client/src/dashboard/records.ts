// Per-service and per-endpoint counters: incremented by the channel subscribers (hot path: no
// allocation), closed once per interval into figures and fixed-size histories.

import { LatencyHistogram } from '../core/latency-histogram.js';
import { History } from './history.js';

/** Figures of one closed interval. */
class Interval {
  rate = 0;
  successRate = 1;
  p50Ms = 0;
  p99Ms = 0;
}

export class EndpointRecord {
  readonly id: string;
  // Current interval.
  attempts = 0;
  failures = 0;
  cancelled = 0;
  readonly latency = new LatencyHistogram();
  // Totals.
  totalAttempts = 0;
  totalFailures = 0;
  breakerTransitions = 0;
  ejections = 0;
  /** Last breaker state seen on the channel (sources are preferred when they know the endpoint). */
  breaker: string | undefined;
  ejected = false;
  readonly last = new Interval();
  readonly rateHistory: History;
  readonly successHistory: History;
  readonly p99History: History;

  constructor(id: string, points: number) {
    this.id = id;
    this.rateHistory = new History(points);
    this.successHistory = new History(points);
    this.p99History = new History(points);
  }

  /** Closes the current interval (`seconds` long). */
  close(seconds: number): void {
    const l = this.last;
    const counted = this.attempts - this.cancelled;
    l.rate = this.attempts / seconds;
    l.successRate = counted === 0 ? 1 : (counted - this.failures) / counted;
    l.p50Ms = this.latency.quantile(0.5);
    l.p99Ms = this.latency.quantile(0.99);
    this.rateHistory.push(l.rate);
    this.successHistory.push(l.successRate);
    this.p99History.push(l.p99Ms);
    this.attempts = 0;
    this.failures = 0;
    this.cancelled = 0;
    this.latency.reset();
  }
}

export class ServiceRecord {
  readonly name: string;
  // Current interval.
  requests = 0;
  successes = 0;
  failures = 0;
  retries = 0;
  hedges = 0;
  budgetExhausted = 0;
  readonly latency = new LatencyHistogram();
  // Totals.
  totalRequests = 0;
  totalSuccesses = 0;
  totalFailures = 0;
  totalRetries = 0;
  totalHedges = 0;
  totalBudgetExhausted = 0;
  breakerTransitions = 0;
  ejections = 0;
  /** Service breaker state last seen on the channel. */
  breaker: string | undefined;
  readonly endpoints = new Map<string, EndpointRecord>();
  readonly last = new Interval();
  lastRetries = 0;
  lastHedges = 0;
  lastBudgetExhausted = 0;
  readonly rateHistory: History;
  readonly successHistory: History;
  readonly p50History: History;
  readonly p99History: History;
  readonly #points: number;

  constructor(name: string, points: number) {
    this.name = name;
    this.#points = points;
    this.rateHistory = new History(points);
    this.successHistory = new History(points);
    this.p50History = new History(points);
    this.p99History = new History(points);
  }

  endpoint(id: string): EndpointRecord {
    let e = this.endpoints.get(id);
    if (e === undefined) {
      e = new EndpointRecord(id, this.#points);
      this.endpoints.set(id, e);
    }
    return e;
  }

  close(seconds: number): void {
    const l = this.last;
    const counted = this.successes + this.failures;
    l.rate = this.requests / seconds;
    l.successRate = counted === 0 ? 1 : this.successes / counted;
    l.p50Ms = this.latency.quantile(0.5);
    l.p99Ms = this.latency.quantile(0.99);
    this.lastRetries = this.retries;
    this.lastHedges = this.hedges;
    this.lastBudgetExhausted = this.budgetExhausted;
    this.rateHistory.push(l.rate);
    this.successHistory.push(l.successRate);
    this.p50History.push(l.p50Ms);
    this.p99History.push(l.p99Ms);
    this.requests = 0;
    this.successes = 0;
    this.failures = 0;
    this.retries = 0;
    this.hedges = 0;
    this.budgetExhausted = 0;
    this.latency.reset();
    for (const e of this.endpoints.values()) e.close(seconds);
  }
}
