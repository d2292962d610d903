// Builds the snapshot: the collector's figures (last closed interval, histories, totals) merged
// with what the sources report right now (breaker states, bulkhead, budget, endpoint addresses).
import type { Collector } from './collector.js';
import { round } from './history.js';
import type { EndpointRecord, ServiceRecord } from './records.js';
import type {
  DashboardSnapshot,
  DashboardSource,
  EndpointSnapshot,
  InspectedEndpoint,
  ServiceInspection,
  ServiceSnapshot,
} from './types.js';

export interface SnapshotInput {
  readonly at: number;
  readonly intervalMs: number;
  readonly title: string;
  readonly collector: Collector;
  readonly sources: Iterable<DashboardSource>;
}

/** Each service as the first source reporting it sees it; a source that throws (closed) is skipped. */
function inspectAll(sources: Iterable<DashboardSource>): Map<string, ServiceInspection> {
  const out = new Map<string, ServiceInspection>();
  for (const source of sources) {
    let list: readonly ServiceInspection[];
    try {
      list = source.inspect();
    } catch {
      continue;
    }
    for (const s of list) if (!out.has(s.name)) out.set(s.name, s);
  }
  return out;
}

function formatAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function endpointSnapshot(rec: EndpointRecord, live: InspectedEndpoint | undefined): EndpointSnapshot {
  const l = rec.last;
  const breaker = live?.breaker ?? rec.breaker ?? 'closed';
  const ejected = live?.ejected ?? rec.ejected;
  return {
    id: rec.id,
    address: live === undefined ? rec.id : formatAddress(live.host, live.port),
    breaker,
    ejected,
    healthy: live?.healthy ?? (!ejected && breaker !== 'open' && breaker !== 'isolated'),
    inflight: live?.inflight ?? 0,
    rate: round(l.rate, 2),
    successRate: round(l.successRate, 4),
    p50Ms: round(l.p50Ms, 2),
    p99Ms: round(l.p99Ms, 2),
    totals: {
      attempts: rec.totalAttempts,
      failures: rec.totalFailures,
      breakerTransitions: rec.breakerTransitions,
      ejections: rec.ejections,
    },
    history: {
      rate: rec.rateHistory.toArray(2),
      successRate: rec.successHistory.toArray(4),
      p99Ms: rec.p99History.toArray(2),
    },
  };
}

function serviceSnapshot(rec: ServiceRecord, live: ServiceInspection | undefined): ServiceSnapshot {
  const endpoints: EndpointSnapshot[] = [];
  if (live === undefined) {
    for (const e of rec.endpoints.values()) endpoints.push(endpointSnapshot(e, undefined));
  } else {
    // The source knows the current set: show exactly it, with the collector's figures.
    for (const e of live.endpoints) endpoints.push(endpointSnapshot(rec.endpoint(e.id), e));
  }
  const l = rec.last;
  return {
    name: rec.name,
    rate: round(l.rate, 2),
    successRate: round(l.successRate, 4),
    p50Ms: round(l.p50Ms, 2),
    p99Ms: round(l.p99Ms, 2),
    retries: rec.lastRetries,
    hedges: rec.lastHedges,
    budgetExhausted: rec.lastBudgetExhausted,
    totals: {
      requests: rec.totalRequests,
      successes: rec.totalSuccesses,
      failures: rec.totalFailures,
      retries: rec.totalRetries,
      hedges: rec.totalHedges,
      budgetExhausted: rec.totalBudgetExhausted,
      breakerTransitions: rec.breakerTransitions,
      ejections: rec.ejections,
    },
    breaker: live?.breaker ?? rec.breaker ?? 'none',
    bulkhead:
      live?.bulkhead == null ? null : { inFlight: live.bulkhead.inFlight, queued: live.bulkhead.queued },
    budget: live?.budget == null ? null : { balance: live.budget.balance },
    history: {
      rate: rec.rateHistory.toArray(2),
      successRate: rec.successHistory.toArray(4),
      p50Ms: rec.p50History.toArray(2),
      p99Ms: rec.p99History.toArray(2),
    },
    endpoints,
  };
}

export function buildSnapshot(input: SnapshotInput): DashboardSnapshot {
  const { collector } = input;
  const live = inspectAll(input.sources);
  // A service a source reports but no call has touched yet still gets a (quiet) record.
  for (const name of live.keys()) collector.service(name);
  const names = [...collector.services.keys()].sort();
  const services: ServiceSnapshot[] = [];
  for (const name of names) services.push(serviceSnapshot(collector.services.get(name)!, live.get(name)));
  return {
    at: Math.round(input.at),
    intervalMs: input.intervalMs,
    title: input.title,
    services,
    events: collector.events.toArray(),
  };
}
