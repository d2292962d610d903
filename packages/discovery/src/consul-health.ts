import { createEndpoint, createSnapshot, type Endpoint, nullProtoMeta, type Snapshot } from './endpoint.js';
import { RegistryUnavailableError } from './errors.js';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function stringMeta(value: unknown): Record<string, string> | undefined {
  if (!isObject(value)) return undefined;
  const out = Object.create(null) as Record<string, string>;
  for (const key of Object.keys(value)) {
    const v = value[key];
    if (typeof v === 'string') Object.defineProperty(out, key, { value: v, enumerable: true });
  }
  return out;
}

/** Aggregated status of an entry's checks: critical beats warning beats passing (Consul's rule). */
function aggregateStatus(checks: unknown): 'passing' | 'warning' | 'critical' {
  if (!Array.isArray(checks)) return 'passing';
  let status: 'passing' | 'warning' | 'critical' = 'passing';
  for (const c of checks) {
    const s = isObject(c) ? c.Status : undefined;
    if (s === 'critical' || s === 'maintenance') return 'critical';
    if (s === 'warning') status = 'warning';
    else if (s !== 'passing') return 'critical';
  }
  return status;
}

export interface HealthParseOptions {
  /** Keep instances whose worst check is `warning`. */
  includeWarning: boolean;
  /** Service.Meta key holding the zone. */
  zoneMetaKey: string;
}

/**
 * Turns a `/v1/health/service/:name` answer into a snapshot. Address falls back to Node.Address when
 * Service.Address is empty (Consul's rule); weight is Weights.Passing or Weights.Warning by status;
 * the zone comes from a Service.Meta key; entries with a critical check are dropped.
 */
export function parseHealthEntries(body: unknown, options: HealthParseOptions): Snapshot {
  if (!Array.isArray(body)) throw new RegistryUnavailableError('Consul health answer is not an array');
  const endpoints: Endpoint[] = [];
  const seen = new Map<string, number>();
  for (const entry of body) {
    if (!isObject(entry) || !isObject(entry.Service)) continue;
    const status = aggregateStatus(entry.Checks);
    if (status === 'critical' || (status === 'warning' && !options.includeWarning)) continue;
    const svc = entry.Service;
    const node = isObject(entry.Node) ? entry.Node : {};
    const host =
      typeof svc.Address === 'string' && svc.Address !== ''
        ? svc.Address
        : typeof node.Address === 'string'
          ? node.Address
          : '';
    const port = svc.Port;
    if (host === '' || typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535)
      continue;
    const id = typeof svc.ID === 'string' && svc.ID !== '' ? svc.ID : `${host}:${port}`;
    seen.set(id, (seen.get(id) ?? 0) + 1);
    const meta = stringMeta(svc.Meta);
    const weights = isObject(svc.Weights) ? svc.Weights : undefined;
    const w = weights?.[status === 'warning' ? 'Warning' : 'Passing'];
    const zone = meta?.[options.zoneMetaKey];
    endpoints.push(
      createEndpoint({
        // Service IDs are unique per node only; qualify with the node name when two nodes share one.
        id: typeof node.Node === 'string' ? `${id}\u0000${node.Node}` : id,
        host,
        port,
        weight: typeof w === 'number' && Number.isFinite(w) && w >= 0 ? w : undefined,
        zone: typeof zone === 'string' && zone !== '' ? zone : undefined,
        tags: Array.isArray(svc.Tags)
          ? svc.Tags.filter((t): t is string => typeof t === 'string')
          : undefined,
        meta: meta === undefined ? undefined : nullProtoMeta(meta),
      }),
    );
  }
  // Keep the plain service ID unless it is ambiguous in this answer.
  const named = endpoints.map((e) => {
    const cut = e.id.indexOf('\u0000');
    if (cut === -1) return e;
    const base = e.id.slice(0, cut);
    const id = (seen.get(base) ?? 0) > 1 ? `${base}@${e.id.slice(cut + 1)}` : base;
    return Object.freeze({ ...e, id });
  });
  return createSnapshot(named);
}
