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

/**
 * The frames of the page's own stream (`stream?view=page`) after its first: the snapshot without the
 * histories, which are most of its bytes (50 × 20 with 60 points: ≈ 1.2 MiB with them, ≈ 0.25 MiB
 * without). Each such frame closes one interval, so the page appends the current figures to the
 * histories it got in the first (full) frame, keeping `historyPoints` of them.
 */
export type PageFrame = Omit<DashboardSnapshot, 'services'> & {
  historyPoints: number;
  services: (Omit<ServiceSnapshot, 'history' | 'endpoints'> & {
    endpoints: Omit<EndpointSnapshot, 'history'>[];
  })[];
};

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
  const e = endpointFigures(rec, live) as EndpointSnapshot;
  e.history = {
    rate: rec.rateHistory.toArray(2),
    successRate: rec.successHistory.toArray(4),
    p99Ms: rec.p99History.toArray(2),
  };
  return e;
}

function endpointFigures(
  rec: EndpointRecord,
  live: InspectedEndpoint | undefined,
): Omit<EndpointSnapshot, 'history'> {
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
  };
}

type PageService = PageFrame['services'][number];

/** A service with its histories (`histories`: the snapshot) or without (a page frame). */
function serviceSnapshot(
  rec: ServiceRecord,
  live: ServiceInspection | undefined,
  histories: true,
): ServiceSnapshot;
function serviceSnapshot(
  rec: ServiceRecord,
  live: ServiceInspection | undefined,
  histories: false,
): PageService;
function serviceSnapshot(
  rec: ServiceRecord,
  live: ServiceInspection | undefined,
  histories: boolean,
): ServiceSnapshot | PageService {
  const one = histories ? endpointSnapshot : endpointFigures;
  const endpoints: Omit<EndpointSnapshot, 'history'>[] = [];
  if (live === undefined) {
    for (const e of rec.endpoints.values()) endpoints.push(one(e, undefined));
  } else {
    // The source knows the current set: show exactly it, with the collector's figures.
    for (const e of live.endpoints) endpoints.push(one(rec.endpoint(e.id), e));
  }
  const l = rec.last;
  const s = {
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
  } as ServiceSnapshot;
  // Key order as documented: history, then endpoints.
  if (histories) {
    s.history = {
      rate: rec.rateHistory.toArray(2),
      successRate: rec.successHistory.toArray(4),
      p50Ms: rec.p50History.toArray(2),
      p99Ms: rec.p99History.toArray(2),
    };
  }
  s.endpoints = endpoints as EndpointSnapshot[];
  return s;
}

function services<H extends boolean>(
  input: SnapshotInput,
  histories: H,
): H extends true ? ServiceSnapshot[] : PageService[];
function services(input: SnapshotInput, histories: boolean): (ServiceSnapshot | PageService)[] {
  const { collector } = input;
  const live = inspectAll(input.sources);
  // A service a source reports but no call has touched yet still gets a (quiet) record.
  for (const name of live.keys()) collector.service(name);
  const names = [...collector.services.keys()].sort();
  const out: (ServiceSnapshot | PageService)[] = [];
  for (const name of names) {
    const rec = collector.services.get(name)!;
    out.push(
      histories ? serviceSnapshot(rec, live.get(name), true) : serviceSnapshot(rec, live.get(name), false),
    );
  }
  return out;
}

export function buildSnapshot(input: SnapshotInput): DashboardSnapshot {
  return {
    at: Math.round(input.at),
    intervalMs: input.intervalMs,
    title: input.title,
    services: services(input, true),
    events: input.collector.events.toArray(),
  };
}

/** A frame of the page's stream after its first: the snapshot without histories. */
export function buildPageFrame(input: SnapshotInput, historyPoints: number): PageFrame {
  return {
    at: Math.round(input.at),
    intervalMs: input.intervalMs,
    title: input.title,
    historyPoints,
    services: services(input, false),
    events: input.collector.events.toArray(),
  };
}
