// The part of the frontend's `/dashboard/snapshot.json` (dashboard-contract.md) that the launcher shows, read
// defensively: the launcher must keep working with an older or newer dashboard, or with none.

export interface EndpointView {
  readonly address: string;
  readonly breaker: string;
  readonly ejected: boolean;
}

export interface ServiceView {
  readonly name: string;
  readonly breaker: string;
  /** Retries in the snapshot's last interval. */
  readonly retries: number;
  readonly totals: {
    readonly retries: number;
    readonly breakerTransitions: number;
    readonly ejections: number;
  };
  readonly endpoints: readonly EndpointView[];
}

export interface DashboardEventView {
  readonly at: number;
  readonly service: string;
  readonly endpoint: string | undefined;
  readonly kind: string;
  readonly detail: string;
}

export interface SnapshotView {
  readonly at: number;
  readonly intervalMs: number;
  readonly services: readonly ServiceView[];
  readonly events: readonly DashboardEventView[];
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const str = (v: unknown, fallback = ''): string => (typeof v === 'string' ? v : fallback);

/** Returns undefined when `json` does not look like a dashboard snapshot at all. */
export function readSnapshot(json: unknown): SnapshotView | undefined {
  const o = obj(json);
  if (!Array.isArray(o.services)) return undefined;
  const services = o.services.map((s): ServiceView => {
    const so = obj(s);
    const totals = obj(so.totals);
    return {
      name: str(so.name, '?'),
      breaker: str(so.breaker, 'none'),
      retries: num(so.retries),
      totals: {
        retries: num(totals.retries),
        breakerTransitions: num(totals.breakerTransitions),
        ejections: num(totals.ejections),
      },
      endpoints: arr(so.endpoints).map((e): EndpointView => {
        const eo = obj(e);
        return {
          address: str(eo.address, str(eo.id)),
          breaker: str(eo.breaker, 'none'),
          ejected: eo.ejected === true,
        };
      }),
    };
  });
  const events = arr(o.events).map((e): DashboardEventView => {
    const eo = obj(e);
    return {
      at: num(eo.at),
      service: str(eo.service),
      endpoint: typeof eo.endpoint === 'string' ? eo.endpoint : undefined,
      kind: str(eo.kind),
      detail: str(eo.detail),
    };
  });
  return { at: num(o.at), intervalMs: num(o.intervalMs) || 1000, services, events };
}
