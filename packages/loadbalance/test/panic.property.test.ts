import { Balancer } from '@breakwater/loadbalance';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { endpoints, SEED, seededRandom } from './helpers.js';

describe('panic threshold (property)', () => {
  it('engages exactly when healthy% < threshold and disengages as health returns', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 0, max: 100 }),
        fc.array(fc.tuple(fc.nat(), fc.boolean()), { minLength: 1, maxLength: 60 }),
        (n, threshold, flips) => {
          const b = new Balancer({ policy: 'random', panicThreshold: threshold, random: seededRandom(n) });
          b.update(endpoints(n));
          const healthy = new Set(endpoints(n).map((e) => e.id));
          for (const [i, up] of flips) {
            const id = `e${i % n}`;
            b.setHealthy(id, up);
            if (up) healthy.add(id);
            else healthy.delete(id);
            const expected = healthy.size * 100 < threshold * n;
            const p = b.picker;
            expect(p.panic).toBe(expected);
            expect(p.healthy).toBe(healthy.size);
            if (expected) expect(p.endpoints).toHaveLength(n);
            else if (healthy.size > 0) expect(new Set(p.endpoints.map((e) => e.id))).toEqual(healthy);
            else expect(p.pick()).toEqual({ type: 'fail', reason: 'no-healthy-endpoints' });
          }
        },
      ),
      { seed: SEED, numRuns: 1000 },
    );
  });

  it('with the default 50%: 5 of 10 healthy is not panic, 4 of 10 is', () => {
    const b = new Balancer({ policy: 'round-robin' });
    b.update(endpoints(10));
    for (let i = 0; i < 5; i++) b.setHealthy(`e${i}`, false);
    expect(b.picker.panic).toBe(false);
    expect(b.picker.endpoints).toHaveLength(5);
    b.setHealthy('e5', false);
    expect(b.picker.panic).toBe(true);
    expect(b.picker.endpoints).toHaveLength(10);
    b.setHealthy('e5', true);
    expect(b.picker.panic).toBe(false);
  });
});
