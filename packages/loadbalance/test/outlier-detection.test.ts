import {
  Balancer,
  type EjectionEvent,
  OUTLIER_DEFAULTS,
  OutlierDetector,
  type OutlierHost,
  resolveOutlierOptions,
  type UnejectionEvent,
} from '@breakwater/loadbalance';
import { describe, expect, it } from 'vitest';
import { endpoints, ManualClock, seededRandom } from './helpers.js';

function detector(options: Parameters<typeof resolveOutlierOptions>[0], n: number, random = () => 0.5) {
  const ejected: Array<[number, string, number]> = [];
  const d = new OutlierDetector<number>(
    resolveOutlierOptions(options),
    random,
    { onEject: (h, reason, _at, ms) => ejected.push([h.ref, reason, ms]), onUneject: () => {} },
    0,
  );
  const hosts: OutlierHost<number>[] = [];
  for (let i = 0; i < n; i++) hosts.push(d.add(i));
  return { d, hosts, ejected };
}

describe('outlier detection defaults (Envoy)', () => {
  it('uses Envoy defaults', () => {
    expect(OUTLIER_DEFAULTS).toMatchObject({
      consecutive5xx: 5,
      intervalMs: 10_000,
      baseEjectionTimeMs: 30_000,
      maxEjectionPercent: 10,
      maxEjectionTimeMs: 300_000,
      successRateMinimumHosts: 5,
      successRateRequestVolume: 100,
      successRateStdevFactor: 1900,
      failurePercentageThreshold: 85,
      failurePercentageRequestVolume: 50,
      enforcingConsecutiveGatewayFailure: 0,
      enforcingFailurePercentage: 0,
      enforcingConsecutive5xx: 100,
    });
  });
});

describe('consecutive detectors', () => {
  it('ejects on the 5th consecutive 5xx; a success in between resets the count', () => {
    const { d, hosts, ejected } = detector({}, 10);
    const h = hosts[0]!;
    for (let i = 0; i < 4; i++) d.record(h, 'error', 0);
    d.record(h, 'success', 0);
    for (let i = 0; i < 4; i++) d.record(h, 'error', 0);
    expect(ejected).toEqual([]);
    d.record(h, 'error', 0);
    expect(ejected).toEqual([[0, 'consecutive-5xx', 30_000]]);
  });

  it('gateway failures are detected but, by Envoy default, not enforced unless enforcing is raised', () => {
    const off = detector({ consecutive5xx: 100 }, 10);
    for (let i = 0; i < 5; i++) off.d.record(off.hosts[0]!, 'gateway-error', 0);
    expect(off.ejected).toEqual([]);
    const on = detector({ consecutive5xx: 100, enforcingConsecutiveGatewayFailure: 100 }, 10);
    for (let i = 0; i < 5; i++) on.d.record(on.hosts[0]!, 'gateway-error', 0);
    expect(on.ejected).toEqual([[0, 'consecutive-gateway-failure', 30_000]]);
  });

  it('a non-gateway 5xx resets the gateway count', () => {
    const { d, hosts, ejected } = detector(
      { consecutive5xx: 100, enforcingConsecutiveGatewayFailure: 100 },
      10,
    );
    for (let i = 0; i < 4; i++) d.record(hosts[0]!, 'gateway-error', 0);
    d.record(hosts[0]!, 'error', 0);
    for (let i = 0; i < 4; i++) d.record(hosts[0]!, 'gateway-error', 0);
    expect(ejected).toEqual([]);
  });

  it('local-origin errors count as 5xx unless split, then only towards their own detector', () => {
    const unsplit = detector({}, 10);
    for (let i = 0; i < 5; i++) unsplit.d.record(unsplit.hosts[0]!, 'local-origin-error', 0);
    expect(unsplit.ejected.map((e) => e[1])).toEqual(['consecutive-5xx']);
    const split = detector({ splitExternalLocalOriginErrors: true, consecutiveLocalOriginFailure: 3 }, 10);
    for (let i = 0; i < 3; i++) split.d.record(split.hosts[0]!, 'local-origin-error', 0);
    expect(split.ejected.map((e) => e[1])).toEqual(['consecutive-local-origin-failure']);
    expect(split.hosts[0]!.consecutive5xx).toBe(0);
  });

  it('enforcing is a percentage chance drawn from the injected random', () => {
    const never = detector({ enforcingConsecutive5xx: 30 }, 10, () => 0.31);
    for (let i = 0; i < 5; i++) never.d.record(never.hosts[0]!, 'error', 0);
    expect(never.ejected).toEqual([]);
    const always = detector({ enforcingConsecutive5xx: 30 }, 10, () => 0.29);
    for (let i = 0; i < 5; i++) always.d.record(always.hosts[0]!, 'error', 0);
    expect(always.ejected).toHaveLength(1);
  });
});

describe('ejection time', () => {
  it('is base × ejections in a row, capped at max, and decays after healthy intervals', () => {
    const { d, hosts, ejected } = detector({ baseEjectionTimeMs: 30_000, maxEjectionTimeMs: 70_000 }, 10);
    const h = hosts[0]!;
    let now = 0;
    const failAndEject = () => {
      for (let i = 0; i < 5; i++) d.record(h, 'error', now);
    };
    failAndEject();
    now += 29_999;
    d.evaluate(now);
    expect(h.ejected).toBe(true);
    now += 1;
    d.evaluate(now);
    expect(h.ejected).toBe(false);
    failAndEject();
    now += 60_000;
    d.evaluate(now);
    expect(h.ejected).toBe(false);
    failAndEject();
    failAndEject();
    expect(ejected.map((e) => e[2])).toEqual([30_000, 60_000, 70_000]);
    now += 70_000;
    d.evaluate(now);
    // Healthy through several sweeps: the multiplier comes down one step per interval.
    for (let i = 0; i < 2; i++) {
      now += 10_000;
      d.evaluate(now);
    }
    expect(h.backoff).toBe(1);
  });

  it('keeps at least one host ejectable even when maxEjectionPercent rounds to zero', () => {
    const { d, hosts, ejected } = detector({ maxEjectionPercent: 10 }, 5);
    for (const h of hosts) for (let i = 0; i < 5; i++) d.record(h, 'error', 0);
    expect(ejected).toHaveLength(1);
    const strict = detector({ maxEjectionPercent: 10, alwaysEjectOneHost: false }, 5);
    for (const h of strict.hosts) for (let i = 0; i < 5; i++) strict.d.record(h, 'error', 0);
    expect(strict.ejected).toHaveLength(0);
  });
});

describe('interval detectors', () => {
  it('success rate: ejects a host below mean − 1.9·stdev when 5 hosts have 100 requests', () => {
    const { d, hosts, ejected } = detector({ consecutive5xx: 1000, maxEjectionPercent: 100 }, 6);
    hosts.forEach((h, i) => {
      for (let k = 0; k < 100; k++) d.record(h, i === 5 ? (k % 2 === 0 ? 'error' : 'success') : 'success', 0);
    });
    d.evaluate(9_999);
    expect(ejected).toEqual([]);
    d.evaluate(10_000);
    expect(ejected).toEqual([[5, 'success-rate', 30_000]]);
  });

  it('success rate: needs the minimum hosts and request volume', () => {
    const few = detector({ consecutive5xx: 1000 }, 4);
    few.hosts.forEach((h, i) => {
      for (let k = 0; k < 100; k++) few.d.record(h, i === 3 && k % 2 === 0 ? 'error' : 'success', 0);
    });
    few.d.evaluate(10_000);
    expect(few.ejected).toEqual([]);
    const low = detector({ consecutive5xx: 1000 }, 6);
    low.hosts.forEach((h, i) => {
      for (let k = 0; k < 99; k++) low.d.record(h, i === 5 && k % 2 === 0 ? 'error' : 'success', 0);
    });
    low.d.evaluate(10_000);
    expect(low.ejected).toEqual([]);
  });

  it('counts reset every interval', () => {
    const { d, hosts, ejected } = detector({ consecutive5xx: 1000 }, 6);
    hosts.forEach((h, i) => {
      for (let k = 0; k < 60; k++) d.record(h, i === 5 && k % 2 === 0 ? 'error' : 'success', 0);
    });
    d.evaluate(10_000);
    hosts.forEach((h, i) => {
      for (let k = 0; k < 60; k++) d.record(h, i === 5 && k % 2 === 0 ? 'error' : 'success', 10_000);
    });
    d.evaluate(20_000);
    expect(ejected).toEqual([]);
  });

  it('failure percentage: ejects at or above the threshold only when enforced', () => {
    const run = (enforcing: number) => {
      const t = detector(
        {
          consecutive5xx: 1000,
          enforcingSuccessRate: 0,
          enforcingFailurePercentage: enforcing,
          maxEjectionPercent: 50,
        },
        5,
      );
      t.hosts.forEach((h, i) => {
        for (let k = 0; k < 100; k++) t.d.record(h, i === 0 && k < 85 ? 'error' : 'success', 0);
      });
      t.d.evaluate(10_000);
      return t.ejected;
    };
    expect(run(0)).toEqual([]);
    expect(run(100)).toEqual([[0, 'failure-percentage', 30_000]]);
  });
});

describe('Balancer with outlier detection', () => {
  it('emits eject/uneject events, drops the endpoint from the picker and restores it via evaluate()', () => {
    const clock = new ManualClock(1_000);
    const b = new Balancer({ policy: 'round-robin', clock, random: seededRandom(4), outlierDetection: true });
    b.update(endpoints(10));
    const ejects: EjectionEvent[] = [];
    const unejects: UnejectionEvent[] = [];
    b.on('eject', (e) => ejects.push(e));
    b.on('uneject', (e) => unejects.push(e));
    let target = b.pick();
    while (target.type === 'pick' && target.endpoint.id !== 'e3') target = b.pick();
    if (target.type !== 'pick') throw new Error('expected a pick');
    for (let i = 0; i < 5; i++) {
      target.start();
      target.done(2, 'error');
    }
    expect(ejects).toEqual([
      { endpoint: target.endpoint, reason: 'consecutive-5xx', at: 1_000, durationMs: 30_000, ejections: 1 },
    ]);
    expect(b.picker.endpoints.map((e) => e.id)).not.toContain('e3');
    expect(b.stats()[3]).toMatchObject({ ejected: true, ejections: 1 });
    clock.advance(29_000);
    b.evaluate();
    expect(unejects).toEqual([]);
    clock.advance(1_000);
    b.evaluate();
    expect(unejects).toEqual([{ endpoint: target.endpoint, at: 31_000 }]);
    expect(b.picker.endpoints.map((e) => e.id)).toContain('e3');
  });
});
