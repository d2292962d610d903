import { Balancer } from '@breakwater/loadbalance';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { endpoints, SEED, seededRandom } from './helpers.js';

describe('weighted EDF (property)', () => {
  it('shares converge to the weights: within 2 picks of k·weight over k·Σweights picks', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 10 }), { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 1, max: 20 }),
        fc.integer(),
        (weights, k, seed) => {
          const b = new Balancer({ policy: 'weighted', random: seededRandom(seed) });
          b.update(endpoints(weights.length, (i) => ({ weight: weights[i]! })));
          const total = weights.reduce((a, w) => a + w, 0);
          const counts = new Map<string, number>();
          for (let i = 0; i < k * total; i++) {
            const r = b.pick();
            if (r.type !== 'pick') throw new Error('expected a pick');
            counts.set(r.endpoint.id, (counts.get(r.endpoint.id) ?? 0) + 1);
          }
          weights.forEach((w, i) => {
            expect(Math.abs((counts.get(`e${i}`) ?? 0) - k * w)).toBeLessThanOrEqual(2);
          });
        },
      ),
      { seed: SEED, numRuns: 1000 },
    );
  });

  it('handles fractional weights proportionally', () => {
    const b = new Balancer({ policy: 'weighted', random: seededRandom(5) });
    b.update(endpoints(3, (i) => ({ weight: [0.5, 1.5, 3][i]! })));
    const counts = [0, 0, 0];
    for (let i = 0; i < 5000; i++) {
      const r = b.pick();
      if (r.type === 'pick') counts[Number(r.endpoint.id.slice(1))]!++;
    }
    expect(counts).toEqual([500, 1500, 3000]);
  });
});
