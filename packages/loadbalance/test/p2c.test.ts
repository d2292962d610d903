import {
  Balancer,
  EndpointState,
  LoadTable,
  leastRequest,
  type PickedEndpoint,
  p2cPick,
  peakEwma,
} from '@breakwater/loadbalance';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { endpoints, ManualClock, SEED, seededRandom } from './helpers.js';

function pickId(b: Balancer): string {
  const r = b.pick();
  if (r.type !== 'pick') throw new Error('expected a pick');
  return r.endpoint.id;
}

function handle(b: Balancer, id: string): PickedEndpoint {
  const h = b.handle(id);
  if (h === undefined) throw new Error(`no endpoint ${id}`);
  return h;
}

describe('p2cPick (pure)', () => {
  it('of two candidates, always returns the less loaded (property)', () => {
    const sink = {
      clock: new ManualClock(),
      decayTimeMs: 1,
      defaultRttMs: 1,
      failurePenalty: 1,
      detector: undefined,
    };
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: 20 }), { minLength: 2, maxLength: 30 }),
        fc.integer(),
        (loads, seed) => {
          const table = new LoadTable();
          const nodes = endpoints(loads.length).map((e, i) => {
            const s = new EndpointState(e, sink, table);
            s.inflight = loads[i]!;
            return s;
          });
          const slots = Int32Array.from(nodes, (s) => s.slot);
          // Replay the RNG to know which two candidates were drawn.
          const draws: number[] = [];
          const rng = seededRandom(seed);
          const recording = () => {
            const x = rng();
            draws.push(x);
            return x;
          };
          const picked = nodes[p2cPick(slots, table, leastRequest, recording, sink.clock)]!;
          const n = nodes.length;
          expect(draws).toHaveLength(1);
          const r = Math.floor(draws[0]! * n * (n - 1));
          const a = Math.floor(r / (n - 1));
          let b = r % (n - 1);
          if (b >= a) b++;
          expect(picked.inflight).toBe(Math.min(loads[a]!, loads[b]!));
          expect([nodes[a], nodes[b]]).toContain(picked);
        },
      ),
      { seed: SEED, numRuns: 1000 },
    );
  });

  it('never picks the single most loaded of n > 1 endpoints when loads are distinct', () => {
    const sink = {
      clock: new ManualClock(),
      decayTimeMs: 1,
      defaultRttMs: 1,
      failurePenalty: 1,
      detector: undefined,
    };
    const table = new LoadTable();
    const nodes = endpoints(5).map((e, i) =>
      Object.assign(new EndpointState(e, sink, table), { inflight: i }),
    );
    const slots = Int32Array.from(nodes, (s) => s.slot);
    const rng = seededRandom(7);
    for (let i = 0; i < 1000; i++) {
      expect(nodes[p2cPick(slots, table, leastRequest, rng, sink.clock)]!.inflight).not.toBe(4);
    }
  });
});

describe('P2C least-request', () => {
  it('prefers the endpoint with fewer calls in flight', () => {
    const b = new Balancer({ policy: 'least-request', random: seededRandom(11) });
    b.update(endpoints(2));
    const busy = handle(b, 'e0');
    for (let i = 0; i < 5; i++) busy.start();
    for (let i = 0; i < 100; i++) expect(pickId(b)).toBe('e1');
    for (let i = 0; i < 5; i++) busy.done(1);
    const counts = { e0: 0, e1: 0 } as Record<string, number>;
    for (let i = 0; i < 100; i++) counts[pickId(b)]!++;
    expect(counts.e0).toBeGreaterThan(0);
  });
});

describe('P2C peak-EWMA', () => {
  it('prefers the faster endpoint, and jumps to a slow sample at once', () => {
    const clock = new ManualClock();
    const b = new Balancer({ policy: 'peak-ewma', clock, random: seededRandom(12) });
    b.update(endpoints(3));
    for (const id of ['e0', 'e1', 'e2']) {
      const h = handle(b, id);
      h.start();
      h.done(id === 'e2' ? 200 : 10);
    }
    const counts = { e0: 0, e1: 0, e2: 0 } as Record<string, number>;
    for (let i = 0; i < 300; i++) counts[pickId(b)]!++;
    expect(counts.e2).toBe(0);
    expect(counts.e0! + counts.e1!).toBe(300);
    // One slow sample on e0 lifts its estimate to the peak immediately.
    clock.advance(1);
    const e0 = handle(b, 'e0');
    e0.start();
    e0.done(500);
    expect(b.stats()[0]!.latencyMs).toBe(500);
  });

  it('decays the estimate over decayTimeMs so a once-slow endpoint is tried again', () => {
    const clock = new ManualClock();
    const b = new Balancer({
      policy: 'peak-ewma',
      clock,
      random: seededRandom(13),
      decayTimeMs: 10_000,
      probeIntervalMs: Number.POSITIVE_INFINITY,
    });
    b.update(endpoints(1));
    const h = handle(b, 'e0');
    h.start();
    h.done(1000);
    clock.advance(10_000);
    expect(b.stats()[0]!.latencyMs).toBeCloseTo(1000 / Math.E, 6);
    // A lower sample after a decay time blends with weight 1 − e^-1.
    h.start();
    h.done(100);
    expect(b.stats()[0]!.latencyMs).toBeCloseTo((1000 / Math.E) * Math.exp(-1) + 100 * (1 - Math.exp(-1)), 6);
  });

  it('blends a lower sample with at least sampleWeight; after a probe interval of silence it replaces', () => {
    const clock = new ManualClock();
    const b = new Balancer({ policy: 'peak-ewma', clock, random: seededRandom(17), sampleWeight: 0.1 });
    b.update(endpoints(1));
    const h = handle(b, 'e0');
    h.start();
    h.done(40); // a spike
    clock.advance(1); // the next call 1 ms later: its time weight (1 − e^(−1/10,000)) is tiny
    h.start();
    h.done(2);
    const decayed = 40 * Math.exp(-1 / 10_000);
    expect(b.stats()[0]!.latencyMs).toBeCloseTo(decayed * 0.9 + 2 * 0.1, 9);
    clock.advance(1_000); // silence for the probe interval (1 s): the next sample is the news
    h.start();
    h.done(3);
    expect(b.stats()[0]!.latencyMs).toBe(3);
  });

  it('multiplies the estimate by in-flight + 1; before any sample: free while idle, else the default RTT', () => {
    const clock = new ManualClock();
    const metric = peakEwma(10_000, 30);
    const sink = { clock, decayTimeMs: 10_000, defaultRttMs: 30, failurePenalty: 5, detector: undefined };
    const s = new EndpointState({ id: 'a', host: 'h', port: 1 }, sink);
    expect(metric.load(s.table, s.slot, 0)).toBe(0);
    s.start();
    expect(metric.load(s.table, s.slot, 0)).toBe(60);
    s.start();
    expect(metric.load(s.table, s.slot, 0)).toBe(90);
    s.done(20);
    expect(metric.load(s.table, s.slot, 0)).toBe(40);
  });

  it('charges a failure as a slow sample so a fast-failing endpoint is not preferred', () => {
    const clock = new ManualClock();
    const b = new Balancer({ policy: 'peak-ewma', clock, random: seededRandom(14), failurePenalty: 5 });
    b.update(endpoints(2));
    const ok = handle(b, 'e0');
    ok.start();
    ok.done(20);
    const bad = handle(b, 'e1');
    bad.start();
    bad.done(1, 'error');
    expect(b.stats()[1]!.latencyMs).toBe(150); // max(1, default 30) × 5
    for (let i = 0; i < 50; i++) expect(pickId(b)).toBe('e0');
  });

  it('a new endpoint is not starved behind faster measured ones: it gets a request and is measured', () => {
    const clock = new ManualClock();
    const b = new Balancer({ policy: 'peak-ewma', clock, random: seededRandom(16) });
    b.update(endpoints(2));
    for (const id of ['e0', 'e1']) {
      const h = handle(b, id);
      h.start();
      h.done(1);
    }
    b.update(endpoints(3)); // e2 joins, unmeasured; the others answer in 1 ms (default RTT is 30 ms)
    const picks = new Map<string, number>();
    for (let i = 0; i < 60; i++) {
      const id = pickId(b);
      picks.set(id, (picks.get(id) ?? 0) + 1);
      const h = handle(b, id);
      h.start();
      h.done(1);
    }
    // Once measured at 1 ms it competes as an equal: about a third of the picks.
    expect(picks.get('e2') ?? 0).toBeGreaterThanOrEqual(10);
  });

  it('a cancelled call releases its in-flight slot and counts only as a lower bound of the latency', () => {
    const clock = new ManualClock();
    const b = new Balancer({ policy: 'peak-ewma', clock, random: seededRandom(15) });
    b.update(endpoints(2));
    const h = handle(b, 'e0');
    h.start();
    h.done(20);
    h.start();
    h.done(5, 'cancelled'); // cut short below the estimate: says nothing
    expect(b.stats()[0]).toMatchObject({ inflight: 0, latencyMs: 20 });
    h.start();
    h.done(50, 'cancelled'); // took at least 50 ms: raises the estimate as a peak
    expect(b.stats()[0]).toMatchObject({ inflight: 0, latencyMs: 50 });
    // An endpoint whose calls are all cancelled is measured too, not left "unmeasured and free".
    const slow = handle(b, 'e1');
    slow.start();
    slow.done(15, 'cancelled');
    expect(b.stats()[1]).toMatchObject({ inflight: 0, latencyMs: 15 });
  });
});

describe('peak-EWMA compare (property)', () => {
  const sink = {
    clock: new ManualClock(),
    decayTimeMs: 10_000,
    defaultRttMs: 30,
    failurePenalty: 5,
    detector: undefined,
  };
  const node = fc.record({
    ewma: fc.double({ min: 0.01, max: 5000, noNaN: true }),
    stamp: fc.integer({ min: 0, max: 100_000 }),
    inflight: fc.nat({ max: 50 }),
  });
  type Node = { ewma: number; stamp: number; inflight: number };
  const pair = (x: Node, y: Node) => {
    const table = new LoadTable();
    const mk = (v: Node, id: string) =>
      Object.assign(new EndpointState({ id, host: 'h', port: 1 }, sink, table), { ...v, samples: 1 }).slot;
    return { table, a: mk(x, 'a'), b: mk(y, 'b') };
  };
  const countingClock = (now: number) => {
    const reads = { count: 0 };
    return {
      reads,
      clock: {
        now: () => {
          reads.count++;
          return now;
        },
      },
    };
  };

  it('without the slow gate and probes, orders two endpoints as their loads at any later time do, without reading the clock', () => {
    const metric = peakEwma(10_000, 30, {
      slowRatio: Number.POSITIVE_INFINITY,
      probeIntervalMs: Number.POSITIVE_INFINITY,
    });
    fc.assert(
      fc.property(node, node, fc.integer({ min: 0, max: 200_000 }), (x, y, later) => {
        const { table, a, b } = pair(x, y);
        const now = Math.max(x.stamp, y.stamp) + later;
        const exact = metric.load(table, a, now) - metric.load(table, b, now);
        const { reads, clock } = countingClock(now);
        const aLess = metric.less(table, a, b, clock);
        const bLess = metric.less(table, b, a, clock);
        expect(reads.count).toBe(0);
        expect(aLess && bLess).toBe(false);
        // Same order unless the two loads are equal to within rounding.
        if (Math.abs(exact) > 1e-9 * (metric.load(table, a, now) + metric.load(table, b, now))) {
          expect(aLess).toBe(exact < 0);
          expect(bLess).toBe(exact > 0);
        }
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });

  it('with the slow gate, follows the reference rule at any later time, without reading the clock', () => {
    const ratio = 4;
    const probeMs = 1_000;
    const metric = peakEwma(10_000, 30, { slowRatio: ratio, probeIntervalMs: probeMs });
    // Reference: estimates decayed to `now`; past the ratio the slower loses unless a probe is due
    // (idle, last sample ≥ probeMs older than its rival's) wins first; otherwise latency × (in-flight + 1).
    const reference = (x: Node, y: Node, now: number): boolean => {
      const ex = x.ewma * Math.exp(-(now - x.stamp) / 10_000);
      const ey = y.ewma * Math.exp(-(now - y.stamp) / 10_000);
      if (x.inflight === 0 && y.stamp - x.stamp >= probeMs) return true;
      if (y.inflight === 0 && x.stamp - y.stamp >= probeMs) return false;
      if (ex > ratio * ey) return false;
      if (ey > ratio * ex) return true;
      return ex * (x.inflight + 1) < ey * (y.inflight + 1);
    };
    // Decayed estimates near the ratio or near equal cost may round either way: skip those.
    const clearCut = (x: Node, y: Node, now: number): boolean => {
      const ex = x.ewma * Math.exp(-(now - x.stamp) / 10_000);
      const ey = y.ewma * Math.exp(-(now - y.stamp) / 10_000);
      const near = (p: number, q: number) => Math.abs(p - q) <= 1e-9 * (Math.abs(p) + Math.abs(q));
      return (
        !near(ex, ratio * ey) && !near(ey, ratio * ex) && !near(ex * (x.inflight + 1), ey * (y.inflight + 1))
      );
    };
    fc.assert(
      fc.property(node, node, fc.integer({ min: 0, max: 200_000 }), (x, y, later) => {
        const { table, a, b } = pair(x, y);
        const now = Math.max(x.stamp, y.stamp) + later;
        const { reads, clock } = countingClock(now);
        const aLess = metric.less(table, a, b, clock);
        const bLess = metric.less(table, b, a, clock);
        expect(reads.count).toBe(0);
        if (clearCut(x, y, now)) {
          expect(aLess).toBe(reference(x, y, now));
          expect(bLess).toBe(reference(y, x, now));
        }
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });
});

describe('peak-EWMA slow gate (balancer)', () => {
  /** Serves `calls` picks, each answered at once with its endpoint's latency; counts picks per endpoint. */
  function serve(
    b: Balancer,
    clock: ManualClock,
    latency: Record<string, number>,
    calls: number,
    stepMs: number,
  ) {
    const picks = new Map<string, number>();
    for (let i = 0; i < calls; i++) {
      const id = pickId(b);
      picks.set(id, (picks.get(id) ?? 0) + 1);
      const h = handle(b, id);
      h.start();
      h.done(latency[id]!, 'success', clock.now());
      clock.advance(stepMs);
    }
    return picks;
  }

  it('keeps a 10× slower endpoint out against busy fast ones, and lets it compete once disabled', () => {
    const run = (slowRatio: number) => {
      const clock = new ManualClock();
      const b = new Balancer({ policy: 'peak-ewma', clock, random: seededRandom(21), slowRatio });
      b.update(endpoints(3));
      const latency = { e0: 2, e1: 2, e2: 20 };
      serve(b, clock, latency, 30, 1); // every endpoint measured
      // Twelve calls in flight on each fast endpoint: their cost 2 × 13 = 26 ms exceeds an idle slow one's (20).
      for (const id of ['e0', 'e1']) for (let i = 0; i < 12; i++) handle(b, id).start();
      const picks = new Map<string, number>();
      for (let i = 0; i < 300; i++) {
        const id = pickId(b);
        picks.set(id, (picks.get(id) ?? 0) + 1);
      }
      return picks.get('e2') ?? 0;
    };
    expect(run(Number.POSITIVE_INFINITY)).toBeGreaterThan(50); // Finagle's cost: the slow one looks cheap
    expect(run(4)).toBe(0);
  });

  it('probes the slow endpoint one call at a time, once per probe interval, and so sees it recover', () => {
    const clock = new ManualClock();
    const b = new Balancer({ policy: 'peak-ewma', clock, random: seededRandom(22), probeIntervalMs: 1_000 });
    b.update(endpoints(3));
    const latency: Record<string, number> = { e0: 2, e1: 2, e2: 20 };
    serve(b, clock, latency, 30, 1);
    // 10 s of traffic, one call every 10 ms: the slow endpoint gets only its probes, about one a second.
    const slow = serve(b, clock, latency, 1_000, 10).get('e2') ?? 0;
    expect(slow).toBeGreaterThanOrEqual(8);
    expect(slow).toBeLessThanOrEqual(11);
    // While a probe is in flight, no second call goes there, however long it takes.
    let probe: PickedEndpoint | undefined;
    for (let i = 0; i < 200 && probe === undefined; i++) {
      const id = pickId(b);
      const h = handle(b, id);
      h.start();
      if (id === 'e2') probe = h;
      else h.done(2, 'success', clock.now());
      clock.advance(10);
    }
    expect(probe).toBeDefined();
    const seen = serve(b, clock, latency, 300, 10); // 3 s more
    expect(seen.get('e2') ?? 0).toBe(0);
    probe!.done(20, 'success', clock.now());
    // It recovers (answers in 2 ms from now on): its next probe, a sample after a probe interval of
    // silence, replaces the estimate, so it is back in full rotation within about a second, where
    // without probes the estimate would only decay (about 23 s for 10×) and a sequential caller
    // would never try it.
    latency.e2 = 2;
    serve(b, clock, latency, 150, 10);
    const back = serve(b, clock, latency, 300, 10).get('e2') ?? 0;
    expect(back).toBeGreaterThanOrEqual(60); // about a third of 300
  });

  it('a probe that loses a hedge race is not retried at once: the next waits a full interval', () => {
    const clock = new ManualClock();
    const b = new Balancer({ policy: 'peak-ewma', clock, random: seededRandom(23), probeIntervalMs: 1_000 });
    b.update(endpoints(3));
    const latency = { e0: 2, e1: 2, e2: 20 };
    serve(b, clock, latency, 30, 1);
    clock.advance(1_500);
    // Find the due probe, then cancel it after 5 ms (below its 20 ms estimate: no news).
    let probes = 0;
    for (let i = 0; i < 200; i++) {
      const id = pickId(b);
      const h = handle(b, id);
      h.start();
      if (id === 'e2') {
        probes++;
        clock.advance(5);
        h.done(5, 'cancelled', clock.now());
      } else h.done(2, 'success', clock.now());
      clock.advance(1);
    }
    expect(probes).toBe(1);
  });

  it('rejects a slow ratio ≤ 1, a non-positive probe interval and a sample weight outside [0, 1], naming the option', () => {
    expect(() => new Balancer({ policy: 'peak-ewma', slowRatio: 1 })).toThrow(/slowRatio/);
    expect(() => new Balancer({ policy: 'peak-ewma', probeIntervalMs: 0 })).toThrow(/probeIntervalMs/);
    expect(() => new Balancer({ policy: 'peak-ewma', sampleWeight: 1.5 })).toThrow(/sampleWeight/);
  });
});
