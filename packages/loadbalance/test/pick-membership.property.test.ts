import { Balancer, POLICIES } from '@breakwater/loadbalance';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { endpoints, ManualClock, SEED, seededRandom } from './helpers.js';

describe('pick membership (property)', () => {
  it('a pick is always one of the snapshot endpoints that are neither ejected nor unhealthy', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...POLICIES),
        fc.integer({ min: 1, max: 30 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        fc.integer({ min: 0, max: 100 }),
        fc.integer(),
        fc.array(fc.option(fc.string({ maxLength: 6 }), { nil: undefined }), { minLength: 1, maxLength: 20 }),
        (policy, n, down, panicThreshold, seed, keys) => {
          const b = new Balancer({
            policy,
            panicThreshold,
            random: seededRandom(seed),
            clock: new ManualClock(),
            ringReplicas: 20,
            maglevTableSize: 251,
            localZone: 'a',
          });
          const eps = endpoints(n, (i) => ({ zone: i % 3 === 0 ? 'a' : 'b', weight: 1 + (i % 4) }));
          b.update(eps);
          for (const d of down) b.setHealthy(`e${d % n}`, false);
          const healthy = new Set(eps.map((e) => e.id));
          for (const d of down) healthy.delete(`e${d % n}`);
          const all = new Set(eps.map((e) => e.id));
          const panic = healthy.size * 100 < panicThreshold * n;
          for (const key of keys) {
            const r = b.pick(key === undefined ? undefined : { key });
            if (healthy.size === 0 && !panic) {
              expect(r).toEqual({ type: 'fail', reason: 'no-healthy-endpoints' });
              continue;
            }
            if (r.type !== 'pick') throw new Error(`unexpected fail ${r.reason}`);
            expect((panic ? all : healthy).has(r.endpoint.id)).toBe(true);
            expect(b.picker.endpoints.some((e) => e.id === r.endpoint.id)).toBe(true);
            r.start();
            r.done(1 + (r.endpoint.port % 7));
          }
        },
      ),
      { seed: SEED, numRuns: 1000 },
    );
  });

  it('never picks an ejected endpoint (outlier detection on, panic off)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...POLICIES),
        fc.integer({ min: 2, max: 20 }),
        fc.array(fc.record({ target: fc.nat(), fail: fc.boolean() }), { maxLength: 200 }),
        fc.integer(),
        (policy, n, outcomes, seed) => {
          const clock = new ManualClock();
          const b = new Balancer({
            policy,
            panicThreshold: 0,
            random: seededRandom(seed),
            clock,
            ringReplicas: 20,
            maglevTableSize: 251,
            outlierDetection: { consecutive5xx: 2, maxEjectionPercent: 50 },
          });
          b.update(endpoints(n));
          const ejected = new Set<string>();
          b.on('eject', (e) => ejected.add(e.endpoint.id));
          b.on('uneject', (e) => ejected.delete(e.endpoint.id));
          for (const o of outcomes) {
            clock.advance(100);
            b.evaluate();
            const r = b.pick({ hash: o.target });
            if (r.type !== 'pick') throw new Error(`unexpected fail ${r.reason}`);
            expect(ejected.has(r.endpoint.id)).toBe(false);
            r.start();
            r.done(3, o.fail ? 'error' : 'success');
          }
          expect(ejected.size).toBeLessThanOrEqual(Math.max(1, Math.floor(n / 2)));
        },
      ),
      { seed: SEED, numRuns: 1000 },
    );
  });
});
