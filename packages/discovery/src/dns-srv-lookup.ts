import { promises as dns } from 'node:dns';
import { isIP } from 'node:net';
import type { ResolvedDnsSrvOptions } from './dns-srv-options.js';
import {
  type SrvRecord,
  type SrvSelection,
  selectSrvEndpoints,
  type TargetAddress,
} from './dns-srv-select.js';
import { RegistryUnavailableError } from './errors.js';

/**
 * DNS answers that are authoritative "nothing here": NXDOMAIN (`ENOTFOUND`) and NOERROR/NODATA
 * (`ENODATA`). A Kubernetes headless service scaled to zero answers this way, so it means "no
 * endpoints", not "DNS is broken". Every other code (ETIMEOUT, ESERVFAIL, EREFUSED, ECONNREFUSED, …)
 * is a failure, and the last good snapshot stays in force.
 */
export function isNoRecords(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ENOTFOUND' || code === 'ENODATA';
}

export function createResolver(o: ResolvedDnsSrvOptions): dns.Resolver {
  const resolver = new dns.Resolver({ timeout: o.timeoutMs, tries: o.tries });
  if (o.servers !== undefined) resolver.setServers(o.servers as string[]);
  return resolver;
}

function unavailable(what: string, error: unknown): RegistryUnavailableError {
  const code = (error as { code?: unknown } | null)?.code;
  return new RegistryUnavailableError(`DNS lookup of ${what} failed: ${String(code ?? error)}`, {
    cause: error,
  });
}

async function addressesOf(resolver: dns.Resolver, target: string, family: 4 | 6): Promise<TargetAddress[]> {
  try {
    const records =
      family === 4
        ? await resolver.resolve4(target, { ttl: true })
        : await resolver.resolve6(target, { ttl: true });
    return records.map((r) => ({ address: r.address, ttl: r.ttl }));
  } catch (error) {
    // A target without addresses is skipped; the other targets (or the next priority) serve.
    if (isNoRecords(error)) return [];
    throw unavailable(target, error);
  }
}

/**
 * One lookup: SRV records of `name`, then the A/AAAA records of each target, then RFC 2782
 * selection. `node:dns` does not expose the SRV record's own TTL, so the TTL returned is the
 * smallest TTL of the target addresses used (undefined when none carries one).
 */
export async function lookupSrv(
  resolver: dns.Resolver,
  name: string,
  o: ResolvedDnsSrvOptions,
): Promise<SrvSelection> {
  let records: SrvRecord[];
  try {
    records = await resolver.resolveSrv(name);
  } catch (error) {
    if (isNoRecords(error)) return { endpoints: [], ttl: undefined, priority: undefined };
    throw unavailable(name, error);
  }
  // RFC 2782: a single record with target "." means "decidedly not available here".
  records = records.filter((r) => r.name !== '' && r.name !== '.');
  const families: (4 | 6)[] = o.family === 'any' ? [4, 6] : [o.family];
  const targets = [...new Set(records.map((r) => r.name))];
  const addresses = new Map<string, TargetAddress[]>();
  await Promise.all(
    targets.map(async (target) => {
      const literal = isIP(target);
      if (literal !== 0) {
        // Not RFC-conformant, but seen in the wild: an IP literal as the target.
        addresses.set(
          target,
          families.includes(literal as 4 | 6) ? [{ address: target, ttl: undefined }] : [],
        );
        return;
      }
      const lists = await Promise.all(families.map((f) => addressesOf(resolver, target, f)));
      addresses.set(target, lists.flat());
    }),
  );
  return selectSrvEndpoints(records, addresses);
}
