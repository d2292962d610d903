import { isIP } from 'node:net';
import { createEndpoint, type Endpoint } from './endpoint.js';

/** One SRV record as `node:dns` returns it. */
export interface SrvRecord {
  readonly name: string;
  readonly port: number;
  readonly priority: number;
  readonly weight: number;
}

/** An address of an SRV target, with its TTL in seconds when the resolver exposed one. */
export interface TargetAddress {
  readonly address: string;
  readonly ttl: number | undefined;
}

/** The endpoints chosen from one answer, and the smallest TTL (seconds) among the addresses used. */
export interface SrvSelection {
  readonly endpoints: Endpoint[];
  readonly ttl: number | undefined;
  /** Priority of the group in use, or undefined when no group has an address. */
  readonly priority: number | undefined;
}

/**
 * Weight given to an SRV weight of 0 next to positive weights: RFC 2782 gives such records "a very
 * small chance of being selected"; balancers need a positive weight (0 is rejected by some).
 */
export const ZERO_WEIGHT = 0.01;

function hostPort(address: string, port: number): string {
  return isIP(address) === 6 ? `[${address}]:${port}` : `${address}:${port}`;
}

/**
 * RFC 2782 server selection, as a snapshot: only the lowest-priority group that has at least one
 * resolvable target is used; higher priority values are fallbacks. Within the group, each record's
 * weight becomes the endpoint weight; when every weight of the group is 0 (RFC 2782: "no server
 * selection to do") each endpoint gets weight 1, otherwise a 0 becomes ZERO_WEIGHT (0.01): "a very
 * small chance of being selected". A target resolving to several addresses gives one
 * endpoint per address (id `address:port`). Pure, so it can be property-tested.
 */
export function selectSrvEndpoints(
  records: readonly SrvRecord[],
  addresses: ReadonlyMap<string, readonly TargetAddress[]>,
): SrvSelection {
  const priorities = [...new Set(records.map((r) => r.priority))].sort((a, b) => a - b);
  for (const priority of priorities) {
    const group = records.filter((r) => r.priority === priority);
    const allZero = group.every((r) => r.weight === 0);
    const endpoints: Endpoint[] = [];
    let ttl: number | undefined;
    for (const record of group) {
      for (const a of addresses.get(record.name) ?? []) {
        endpoints.push(
          createEndpoint({
            id: hostPort(a.address, record.port),
            host: a.address,
            port: record.port,
            weight: allZero ? 1 : record.weight === 0 ? ZERO_WEIGHT : record.weight,
            meta: { target: record.name, priority: String(record.priority) },
          }),
        );
        if (a.ttl !== undefined) ttl = ttl === undefined ? a.ttl : Math.min(ttl, a.ttl);
      }
    }
    if (endpoints.length > 0) return { endpoints, ttl, priority };
  }
  return { endpoints: [], ttl: undefined, priority: undefined };
}

/** The refresh delay: the answer's TTL clamped to [minMs, maxMs]; minMs when no TTL is known. */
export function refreshDelay(ttlSeconds: number | undefined, minMs: number, maxMs: number): number {
  if (ttlSeconds === undefined) return minMs;
  return Math.min(maxMs, Math.max(minMs, ttlSeconds * 1000));
}
