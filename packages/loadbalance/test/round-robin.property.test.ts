import { Balancer } from '@breakwater/loadbalance';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { endpoints, SEED, seededRandom } from './helpers.js';

describe('round-robin (property)', () => {
  it('is exactly fair over k·n picks, whatever the random start', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 20 }),
        fc.integer(),
        (n, k, seed) => {
          const b = new Balancer({ policy: 'round-robin', random: seededRandom(seed) });
          b.update(endpoints(n));
          const counts = new Map<string, number>();
          for (let i = 0; i < k * n; i++) {
            const r = b.pick();
            if (r.type !== 'pick') throw new Error('expected a pick');
            counts.set(r.endpoint.id, (counts.get(r.endpoint.id) ?? 0) + 1);
          }
          expect(counts.size).toBe(n);
          for (const c of counts.values()) expect(c).toBe(k);
        },
      ),
      { seed: SEED, numRuns: 1000 },
    );
  });

  it('starts at a random offset so clients do not move in lock-step', () => {
    const firsts = new Set<string>();
    for (let seed = 0; seed < 50; seed++) {
      const b = new Balancer({ policy: 'round-robin', random: seededRandom(seed) });
      b.update(endpoints(10));
      const r = b.pick();
      if (r.type === 'pick') firsts.add(r.endpoint.id);
    }
    expect(firsts.size).toBeGreaterThan(5);
  });
});
