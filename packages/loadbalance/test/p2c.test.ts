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
    const b = new Balancer({ policy: 'peak-ewma', clock, random: seededRandom(13), decayTimeMs: 10_000 });
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
  it('orders two endpoints as their loads at any later time do, without reading the clock', () => {
    const metric = peakEwma(10_000, 30);
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
    fc.assert(
      fc.property(node, node, fc.integer({ min: 0, max: 200_000 }), (x, y, later) => {
        const table = new LoadTable();
        const mk = (v: typeof x, id: string) =>
          Object.assign(new EndpointState({ id, host: 'h', port: 1 }, sink, table), { ...v, samples: 1 })
            .slot;
        const a = mk(x, 'a');
        const b = mk(y, 'b');
        const now = Math.max(x.stamp, y.stamp) + later;
        const exact = metric.load(table, a, now) - metric.load(table, b, now);
        const reads = { count: 0 };
        const clock = {
          now: () => {
            reads.count++;
            return now;
          },
        };
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
});
