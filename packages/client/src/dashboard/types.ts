// The dashboard's data shapes: what sources report (inspect()) and what the snapshot carries.
// The snapshot is a wire format read by the page and by other tools (the `npm start` launcher):
// fields may be added, never renamed or removed.

/** One endpoint as a client sees it right now (HttpClient.inspect(), GrpcClient.inspect()). */
export interface InspectedEndpoint {
  readonly id: string;
  readonly host: string;
  readonly port: number;
  /** Endpoint breaker state ('closed' when there is no breaker). */
  readonly breaker: string;
  readonly inflight: number;
  readonly latencyMs: number;
  readonly healthy: boolean;
  readonly ejected: boolean;
}

/** One service as a client sees it right now. */
export interface ServiceInspection {
  readonly name: string;
  /** Service-level breaker: 'closed' | 'open' | 'half-open' | 'isolated', or 'none' without one. */
  readonly breaker: string;
  readonly bulkhead: { readonly inFlight: number; readonly queued: number } | null;
  /** Retry tokens available (RetryBudget.balance()), or null without a budget. */
  readonly budget: { readonly balance: number } | null;
  readonly endpoints: readonly InspectedEndpoint[];
}

/** Anything the dashboard can ask for the live state of its services (both clients are). */
export interface DashboardSource {
  inspect(): readonly ServiceInspection[];
}

export type DashboardEventKind =
  | 'breaker'
  | 'eject'
  | 'uneject'
  | 'endpoint-added'
  | 'endpoint-removed'
  | 'discovery-error';

export interface DashboardEvent {
  /** Epoch ms. */
  at: number;
  service: string;
  endpoint?: string;
  kind: DashboardEventKind;
  /** e.g. 'closed → open', 'consecutive-5xx for 30000 ms'. */
  detail: string;
}

export interface EndpointSnapshot {
  id: string;
  /** 'host:port' (the id when no source knows the endpoint). */
  address: string;
  breaker: string;
  ejected: boolean;
  healthy: boolean;
  inflight: number;
  /** Attempts per second in the last interval. */
  rate: number;
  successRate: number;
  p50Ms: number;
  p99Ms: number;
  totals: { attempts: number; failures: number; breakerTransitions: number; ejections: number };
  history: { rate: number[]; successRate: number[]; p99Ms: number[] };
}

export interface ServiceSnapshot {
  name: string;
  /** Logical calls per second in the last interval. */
  rate: number;
  /** 0..1, 1 when there were no calls. */
  successRate: number;
  p50Ms: number;
  p99Ms: number;
  retries: number;
  hedges: number;
  budgetExhausted: number;
  totals: {
    requests: number;
    successes: number;
    failures: number;
    retries: number;
    hedges: number;
    budgetExhausted: number;
    breakerTransitions: number;
    ejections: number;
  };
  breaker: string;
  bulkhead: { inFlight: number; queued: number } | null;
  budget: { balance: number } | null;
  history: { rate: number[]; successRate: number[]; p50Ms: number[]; p99Ms: number[] };
  endpoints: EndpointSnapshot[];
}

export interface DashboardSnapshot {
  /** Epoch ms of this snapshot. */
  at: number;
  intervalMs: number;
  /** Added to the contract: the dashboard's title. */
  title: string;
  services: ServiceSnapshot[];
  /** Most recent last, bounded. */
  events: DashboardEvent[];
}
