import { Balancer, type PickRequest, POLICIES } from '@breakwater/loadbalance';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { endpoints, ManualClock, SEED } from './helpers.js';

describe('pick() never throws (property)', () => {
  it('whatever the random source returns and whatever the request holds', () => {
    const badNumber = fc.oneof(
      fc.constantFrom(0, 1, -1, 0.999999999, Number.NaN, Number.POSITIVE_INFINITY, -0),
      fc.double(),
    );
    const request = fc.oneof(
      fc.constant(undefined),
      fc.constant(null),
      fc.record({ hash: fc.oneof(fc.integer(), fc.double(), fc.constant(null)) }, { requiredKeys: [] }),
      fc.record(
        { key: fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.object()) },
        { requiredKeys: [] },
      ),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...POLICIES),
        fc.integer({ min: 0, max: 12 }),
        fc.array(badNumber, { minLength: 1, maxLength: 8 }),
        fc.array(request, { minLength: 1, maxLength: 10 }),
        (policy, n, randoms, requests) => {
          let i = 0;
          const random = () => randoms[i++ % randoms.length]!;
          const b = new Balancer({
            policy,
            random,
            clock: new ManualClock(),
            localZone: 'z',
            ringReplicas: 10,
            maglevTableSize: 101,
          });
          b.update(endpoints(n, (k) => ({ zone: k % 2 === 0 ? 'z' : 'y' })));
          if (n > 2) b.setHealthy('e1', false);
          for (const req of requests) {
            const r = b.pick(req as unknown as PickRequest);
            if (n === 0) expect(r).toEqual({ type: 'fail', reason: 'no-endpoints' });
            else {
              expect(r.type).toBe('pick');
              if (r.type === 'pick') expect(b.picker.endpoints).toContain(r.endpoint);
            }
          }
        },
      ),
      { seed: SEED, numRuns: 1000 },
    );
  });
});
