// Joins what the launcher knows (instances, ports, up/down) with what the frontend's dashboard knows
// (breaker state and ejection per endpoint) into one row per backend service.
import type { SnapshotView } from './dashboard-snapshot.js';

export interface InstanceStatus {
  readonly id: string;
  readonly service: string;
  /** The port the frontend calls (pricing: gRPC). */
  readonly port: number | undefined;
  readonly up: boolean;
}

export interface InstanceView {
  readonly id: string;
  readonly up: boolean;
  /** undefined when the dashboard is missing or does not list the endpoint. */
  readonly breaker: string | undefined;
  readonly ejected: boolean | undefined;
}

export interface ServiceRow {
  readonly name: string;
  /** The service-level breaker, undefined without a dashboard. */
  readonly breaker: string | undefined;
  readonly instances: readonly InstanceView[];
}

/** Dashboard addresses are `host:port`; the launcher knows the ports, and everything runs on one host. */
function portOf(address: string): number | undefined {
  const m = /:(\d+)$/.exec(address);
  return m === null ? undefined : Number(m[1]);
}

export function serviceRows(
  services: readonly string[],
  instances: readonly InstanceStatus[],
  snapshot: SnapshotView | undefined,
): ServiceRow[] {
  return services.map((name) => {
    const s = snapshot?.services.find((x) => x.name === name);
    return {
      name,
      breaker: s?.breaker,
      instances: instances
        .filter((i) => i.service === name)
        .map((i) => {
          const e = s?.endpoints.find((ep) => i.port !== undefined && portOf(ep.address) === i.port);
          return { id: i.id, up: i.up, breaker: e?.breaker, ejected: e?.ejected };
        }),
    };
  });
}

/** `127.0.0.1:7001` → `catalog-1`, for dashboard events that name endpoints by address. */
export function instanceForAddress(
  instances: readonly InstanceStatus[],
  address: string | undefined,
): string | undefined {
  if (address === undefined) return undefined;
  const port = portOf(address);
  return instances.find((i) => i.port !== undefined && i.port === port)?.id;
}
