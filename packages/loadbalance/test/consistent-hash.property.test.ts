import {
  Balancer,
  EndpointState,
  LoadTable,
  leastRequest,
  MaglevDistributor,
  type PickResult,
} from '@breakwater/loadbalance';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { endpoints, ManualClock, SEED, seededRandom } from './helpers.js';

const KEYS = Array.from({ length: 4000 }, (_, i) => `user-${i}`);

function assign(b: Balancer): string[] {
  return KEYS.map((key) => {
    const r: PickResult = b.pick({ key });
    if (r.type !== 'pick') throw new Error('expected a pick');
    return r.endpoint.id;
  });
}

function moved(before: string[], after: string[]): number {
  let m = 0;
  for (let i = 0; i < before.length; i++) if (before[i] !== after[i]) m++;
  return m / before.length;
}

for (const policy of ['ring-hash', 'maglev'] as const) {
  describe(`${policy} (property)`, () => {
    const options = { policy, random: seededRandom(1), maglevTableSize: 5003 } as const;

    it('adding one endpoint moves ~1/(n+1) of keys, all of them to the new endpoint for the ring', () => {
      fc.assert(
        fc.property(fc.integer({ min: 2, max: 40 }), fc.nat(), (n, salt) => {
          const eps = endpoints(n + 1, (i) => ({ id: `s${salt}-${i}` }));
          const b = new Balancer(options);
          b.update(eps.slice(0, n));
          const before = assign(b);
          b.update(eps);
          const after = assign(b);
          const fraction = moved(before, after);
          const ideal = 1 / (n + 1);
          expect(fraction).toBeLessThanOrEqual(ideal * 1.5 + 0.03);
          expect(fraction).toBeGreaterThan(ideal * 0.3);
          if (policy === 'ring-hash') {
            const newId = eps[n]!.id;
            for (let i = 0; i < before.length; i++) if (before[i] !== after[i]) expect(after[i]).toBe(newId);
          }
        }),
        { seed: SEED, numRuns: 300 },
      );
    });

    it('removing one endpoint moves its keys (and, for Maglev, few others)', () => {
      fc.assert(
        fc.property(fc.integer({ min: 3, max: 40 }), fc.nat(), fc.nat(), (n, salt, victimSeed) => {
          const eps = endpoints(n, (i) => ({ id: `r${salt}-${i}` }));
          const victim = eps[victimSeed % n]!.id;
          const b = new Balancer(options);
          b.update(eps);
          const before = assign(b);
          b.update(eps.filter((e) => e.id !== victim));
          const after = assign(b);
          const ownShare = before.filter((id) => id === victim).length / before.length;
          const fraction = moved(before, after);
          // Every key of the removed endpoint must move; others should mostly stay.
          expect(fraction).toBeGreaterThanOrEqual(ownShare);
          expect(fraction - ownShare).toBeLessThanOrEqual(policy === 'ring-hash' ? 0 : 0.5 / n + 0.03);
        }),
        { seed: SEED, numRuns: 300 },
      );
    });
  });
}

describe('Maglev balance (property)', () => {
  it('each endpoint owns M/n table slots within a few percent', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100 }), fc.nat(), (n, salt) => {
        const ctx = {
          random: seededRandom(1),
          clock: new ManualClock(),
          metric: leastRequest,
          table: new LoadTable(),
          ringReplicas: 160,
          maxRingSize: 1 << 20,
          maglevTableSize: 65537,
        };
        const sink = {
          clock: ctx.clock,
          decayTimeMs: 1,
          defaultRttMs: 1,
          failurePenalty: 1,
          detector: undefined,
        };
        const nodes = endpoints(n, (i) => ({ id: `m${salt}-${i}` })).map((e) => new EndpointState(e, sink));
        const counts = [...new MaglevDistributor(nodes, ctx).slotCounts().values()];
        expect(counts).toHaveLength(n);
        const ideal = 65537 / n;
        for (const c of counts) expect(Math.abs(c - ideal) / ideal).toBeLessThanOrEqual(0.03);
      }),
      { seed: SEED, numRuns: 100 },
    );
  });

  it('weighted Maglev gives slots in proportion to weight', () => {
    const b = new Balancer({ policy: 'maglev', random: seededRandom(3) });
    b.update(endpoints(3, (i) => ({ weight: i + 1 })));
    const counts = new Map<string, number>();
    for (let i = 0; i < 60000; i++) {
      const r = b.pick({ hash: i });
      if (r.type === 'pick') counts.set(r.endpoint.id, (counts.get(r.endpoint.id) ?? 0) + 1);
    }
    expect((counts.get('e2') ?? 0) / 60000).toBeCloseTo(0.5, 1);
    expect((counts.get('e0') ?? 0) / 60000).toBeCloseTo(1 / 6, 1);
  });

  it('the same key always goes to the same endpoint; no key spreads picks', () => {
    for (const policy of ['ring-hash', 'maglev'] as const) {
      const b = new Balancer({ policy, random: seededRandom(9) });
      b.update(endpoints(10));
      const a = b.pick({ key: 'session-42' });
      for (let i = 0; i < 20; i++) expect(b.pick({ key: 'session-42' })).toBe(a);
      const spread = new Set<string>();
      for (let i = 0; i < 200; i++) {
        const r = b.pick();
        if (r.type === 'pick') spread.add(r.endpoint.id);
      }
      expect(spread.size).toBeGreaterThan(5);
    }
  });
});
