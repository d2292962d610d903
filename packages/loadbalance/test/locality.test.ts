import { Balancer } from '@breakwater/loadbalance';
import { describe, expect, it } from 'vitest';
import { endpoints, seededRandom } from './helpers.js';

function zoneShare(b: Balancer, zone: string, picks = 10_000): number {
  let local = 0;
  for (let i = 0; i < picks; i++) {
    const r = b.pick();
    if (r.type === 'pick' && r.endpoint.zone === zone) local++;
  }
  return local / picks;
}

describe('locality preference', () => {
  const eps = endpoints(10, (i) => ({ zone: i < 5 ? 'a' : 'b' }));

  it('sends everything to the local zone while it is healthy', () => {
    const b = new Balancer({ policy: 'round-robin', localZone: 'a', random: seededRandom(1) });
    b.update(eps);
    expect(zoneShare(b, 'a')).toBe(1);
    expect(b.picker.endpoints.every((e) => e.zone === 'a')).toBe(true);
  });

  it('spills over in proportion as the local zone loses health (1.4 × healthy fraction)', () => {
    const b = new Balancer({
      policy: 'round-robin',
      localZone: 'a',
      random: seededRandom(2),
      panicThreshold: 0,
    });
    b.update(eps);
    b.setHealthy('e0', false);
    expect(zoneShare(b, 'a')).toBe(1); // 1.4 × 0.8 ≥ 1
    b.setHealthy('e1', false);
    b.setHealthy('e2', false);
    expect(zoneShare(b, 'a')).toBeCloseTo(0.56, 1); // 1.4 × 0.4
    b.setHealthy('e3', false);
    b.setHealthy('e4', false);
    expect(zoneShare(b, 'a')).toBe(0);
    expect(zoneShare(b, 'b')).toBe(1);
  });

  it('falls back to the local zone alone when no other zone exists', () => {
    const b = new Balancer({ policy: 'least-request', localZone: 'a', random: seededRandom(3) });
    b.update(endpoints(3, () => ({ zone: 'a' })));
    expect(zoneShare(b, 'a', 100)).toBe(1);
  });
});
