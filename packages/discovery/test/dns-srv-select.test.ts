import { refreshDelay, type SrvRecord, selectSrvEndpoints, type TargetAddress } from '@breakwater/discovery';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const record = fc.record({
  name: fc.constantFrom('t1', 't2', 't3', 't4'),
  port: fc.integer({ min: 1, max: 65535 }),
  priority: fc.integer({ min: 0, max: 3 }),
  weight: fc.integer({ min: 0, max: 3 }),
});
const addressList = fc.array(
  fc.record({
    address: fc.constantFrom('10.0.0.1', '10.0.0.2', 'fd00::1'),
    ttl: fc.option(fc.integer({ min: 0, max: 600 }), { nil: undefined }),
  }),
  { maxLength: 2 },
);
const addressMap = fc
  .record({ t1: addressList, t2: addressList, t3: addressList, t4: addressList })
  .map((o) => new Map<string, TargetAddress[]>(Object.entries(o)));

/** Reference: the smallest priority whose records have any address; its records × addresses. */
function reference(records: readonly SrvRecord[], addresses: ReadonlyMap<string, readonly TargetAddress[]>) {
  const usable = records.filter((r) => (addresses.get(r.name) ?? []).length > 0);
  if (usable.length === 0) return { priority: undefined, pairs: [] as string[] };
  const priority = Math.min(...usable.map((r) => r.priority));
  const group = records.filter((r) => r.priority === priority);
  const allZero = group.every((r) => r.weight === 0);
  const pairs = group.flatMap((r) =>
    (addresses.get(r.name) ?? []).map(
      (a) => `${a.address}|${r.port}|${allZero ? 1 : r.weight === 0 ? 0.01 : r.weight}|${r.name}`,
    ),
  );
  return { priority, pairs };
}

describe('selectSrvEndpoints (RFC 2782 priorities and weights)', () => {
  it('matches a reference model on random answers', () => {
    fc.assert(
      fc.property(fc.array(record, { maxLength: 8 }), addressMap, (records, addresses) => {
        const got = selectSrvEndpoints(records, addresses);
        const want = reference(records, addresses);
        expect(got.priority).toBe(want.priority);
        expect(got.endpoints.map((e) => `${e.host}|${e.port}|${e.weight}|${e.meta?.target}`).sort()).toEqual(
          [...want.pairs].sort(),
        );
        const ttls = got.endpoints.flatMap((e) =>
          (addresses.get(e.meta!.target!) ?? []).filter((a) => a.address === e.host).map((a) => a.ttl),
        );
        const known = ttls.filter((t): t is number => t !== undefined);
        expect(got.ttl).toBe(known.length === 0 ? undefined : Math.min(...known));
        for (const e of got.endpoints) {
          expect(Object.isFrozen(e)).toBe(true);
          expect(e.weight).toBeGreaterThan(0);
          expect(e.id).toBe(e.host.includes(':') ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`);
        }
      }),
      { seed: 1212, numRuns: 1000 },
    );
  });

  it('refreshDelay clamps the TTL to [min, max] and uses min when no TTL is known', () => {
    fc.assert(
      fc.property(
        fc.option(fc.integer({ min: 0, max: 100_000 }), { nil: undefined }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 0, max: 100_000 }),
        (ttl, min, extra) => {
          const max = min + extra;
          const d = refreshDelay(ttl, min, max);
          expect(d).toBeGreaterThanOrEqual(min);
          expect(d).toBeLessThanOrEqual(max);
          if (ttl === undefined) expect(d).toBe(min);
          else if (ttl * 1000 >= min && ttl * 1000 <= max) expect(d).toBe(ttl * 1000);
        },
      ),
      { seed: 1213, numRuns: 1000 },
    );
  });
});
