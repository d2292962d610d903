import {
  AdaptiveLimiter,
  AimdLimit,
  Gradient2Limit,
  type LimitAlgorithm,
  type LimiterPermit,
  VegasLimit,
} from '@breakwater/breaker';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

interface Sample {
  startTime: number;
  rtt: number;
  inflight: number;
  didDrop: boolean;
}

/** Wraps a real algorithm and records every sample the limiter feeds it. */
class Spy implements LimitAlgorithm {
  readonly samples: Sample[] = [];
  constructor(readonly inner: LimitAlgorithm) {}
  get type(): string {
    return this.inner.type;
  }
  get limit(): number {
    return this.inner.limit;
  }
  onSample(startTime: number, rtt: number, inflight: number, didDrop: boolean): void {
    this.samples.push({ startTime, rtt, inflight, didDrop });
    this.inner.onSample(startTime, rtt, inflight, didDrop);
  }
}

interface Holder {
  permit: LimiterPermit;
  start: number;
  inflight: number;
}

interface Model {
  now: number;
  closed: boolean;
  holders: Holder[];
  expected: Sample[];
  admitted: number;
  rejected: number;
  successes: number;
  dropped: number;
  ignored: number;
}

interface Real {
  limiter: AdaptiveLimiter;
  spy: Spy;
  time: { now: number };
}

function check(m: Model, r: Real): void {
  const s = r.limiter.stats;
  expect(r.limiter.inFlight).toBe(m.holders.length);
  expect([s.admitted, s.rejected, s.successes, s.dropped, s.ignored]).toEqual([
    m.admitted,
    m.rejected,
    m.successes,
    m.dropped,
    m.ignored,
  ]);
  expect(r.spy.samples).toEqual(m.expected);
  expect(r.limiter.limit).toBe(r.spy.limit);
}

type Cmd = fc.Command<Model, Real>;

class TryAcquire implements Cmd {
  check = (): boolean => true;
  run(m: Model, r: Real): void {
    const limit = r.spy.limit;
    const admit = !m.closed && m.holders.length < limit;
    const permit = r.limiter.tryAcquire();
    expect(permit !== undefined, `inFlight ${m.holders.length}, limit ${limit}`).toBe(admit);
    if (permit) {
      m.admitted++;
      m.holders.push({ permit, start: m.now, inflight: m.holders.length + 1 });
      // The invariant the limiter exists for: never more than floor(limit) in flight by admission.
      expect(r.limiter.inFlight).toBeLessThanOrEqual(Math.floor(limit));
    } else {
      m.rejected++;
    }
    check(m, r);
  }
  toString = (): string => 'tryAcquire';
}

type How = 'success' | 'success-measured' | 'failure' | 'dropped' | 'ignore';

class Settle implements Cmd {
  constructor(
    readonly index: number,
    readonly how: How,
    readonly rtt: number,
    readonly times: number,
  ) {}
  check = (m: Model): boolean => m.holders.length > 0;
  run(m: Model, r: Real): void {
    const [h] = m.holders.splice(this.index % m.holders.length, 1);
    if (!h) return;
    for (let i = 0; i < this.times; i++) {
      if (this.how === 'success') h.permit.success(this.rtt);
      else if (this.how === 'success-measured') h.permit.success();
      else if (this.how === 'failure') h.permit.failure(this.rtt);
      else if (this.how === 'dropped') h.permit.dropped();
      else h.permit.ignore();
    }
    const base = { startTime: h.start, inflight: h.inflight };
    if (this.how === 'success') m.expected.push({ ...base, rtt: this.rtt, didDrop: false });
    else if (this.how === 'success-measured')
      m.expected.push({ ...base, rtt: m.now - h.start, didDrop: false });
    else if (this.how === 'failure') m.expected.push({ ...base, rtt: this.rtt, didDrop: true });
    else if (this.how === 'dropped') m.expected.push({ ...base, rtt: m.now - h.start, didDrop: true });
    if (this.how === 'ignore') m.ignored++;
    else if (this.how === 'failure' || this.how === 'dropped') m.dropped++;
    else m.successes++;
    check(m, r);
  }
  toString = (): string => `${this.how}#${this.index}(${this.rtt})×${this.times}`;
}

class Advance implements Cmd {
  constructor(readonly ms: number) {}
  check = (): boolean => true;
  run(m: Model, r: Real): void {
    m.now += this.ms;
    r.time.now += this.ms;
    check(m, r);
  }
  toString = (): string => `advance(${this.ms})`;
}

class Close implements Cmd {
  check = (): boolean => true;
  run(m: Model, r: Real): void {
    void r.limiter.close();
    m.closed = true;
    expect(r.limiter.closed).toBe(true);
    check(m, r);
  }
  toString = (): string => 'close';
}

const commands = fc.commands(
  [
    fc.oneof(
      { weight: 8, arbitrary: fc.constant<Cmd>(new TryAcquire()) },
      {
        weight: 8,
        arbitrary: fc
          .tuple(
            fc.nat(20),
            fc.constantFrom<How>('success', 'success-measured', 'failure', 'dropped', 'ignore'),
            fc.oneof(fc.integer({ min: 1, max: 200 }), fc.constant(10_000)),
            fc.integer({ min: 1, max: 3 }),
          )
          .map(([i, how, rtt, times]): Cmd => new Settle(i, how, rtt, times)),
      },
      { weight: 3, arbitrary: fc.integer({ min: 1, max: 100 }).map((ms): Cmd => new Advance(ms)) },
      { weight: 1, arbitrary: fc.constant<Cmd>(new Close()) },
    ),
  ],
  { maxCommands: 60, size: 'max' },
);

/** Small bounds so the limit is reached often, with each algorithm. */
const algorithmArb: fc.Arbitrary<() => LimitAlgorithm> = fc
  .tuple(
    fc.constantFrom('aimd', 'vegas', 'gradient2'),
    fc.integer({ min: 1, max: 3 }),
    fc.integer({ min: 0, max: 3 }),
    fc.integer({ min: 0, max: 3 }),
  )
  .map(([type, minLimit, a, b]) => {
    const bounds = { minLimit, initialLimit: minLimit + a, maxLimit: minLimit + a + b };
    return () =>
      type === 'aimd'
        ? new AimdLimit({ ...bounds, timeoutMs: 150 })
        : type === 'vegas'
          ? new VegasLimit({ ...bounds, random: () => 0.5 })
          : new Gradient2Limit({ ...bounds, queueSize: 1, longWindow: 5 });
  });

describe('AdaptiveLimiter against the reference model', () => {
  it('admits only below floor(limit), feeds each settled permit to the algorithm exactly once with its start, RTT, in-flight count and drop flag, and counts every outcome', () => {
    fc.assert(
      fc.property(algorithmArb, commands, (make, cmds) => {
        const time = { now: 0 };
        const spy = new Spy(make());
        const limiter = new AdaptiveLimiter({ limit: spy, clock: { now: () => time.now } });
        const model: Model = {
          now: 0,
          closed: false,
          holders: [],
          expected: [],
          admitted: 0,
          rejected: 0,
          successes: 0,
          dropped: 0,
          ignored: 0,
        };
        fc.modelRun(() => ({ model, real: { limiter, spy, time } }), cmds);
      }),
      { seed: 20_261_126, numRuns: 1000 },
    );
  });
});
