import {
  type Outcome,
  OutlierDetector,
  type OutlierHost,
  resolveOutlierOptions,
} from '@breakwater/loadbalance';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SEED } from './helpers.js';

// A small reference model of Envoy's consecutive detectors, ejection cap, back-off and unejection.
interface ModelHost {
  id: number;
  c5: number;
  cg: number;
  ejected: boolean;
  ejectedAt: number;
  backoff: number;
  lastUneject: number;
}

interface Config {
  consecutive5xx: number;
  consecutiveGatewayFailure: number;
  baseEjectionTimeMs: number;
  maxEjectionTimeMs: number;
  intervalMs: number;
  maxEjectionPercent: number;
}

class Model {
  hosts: ModelHost[] = [];
  now = 0;
  lastSweep = 0;
  nextId = 0;
  constructor(readonly cfg: Config) {}

  get ejected(): number {
    return this.hosts.filter((h) => h.ejected).length;
  }

  get cap(): number {
    return Math.max(1, Math.floor((this.hosts.length * this.cfg.maxEjectionPercent) / 100));
  }

  eject(h: ModelHost): void {
    if (h.ejected || this.ejected >= this.cap) return;
    if (this.cfg.baseEjectionTimeMs * h.backoff < this.cfg.maxEjectionTimeMs) h.backoff++;
    h.ejected = true;
    h.ejectedAt = this.now;
  }

  record(h: ModelHost, outcome: Outcome): void {
    if (outcome === 'cancelled') return;
    if (outcome === 'success') {
      h.c5 = 0;
      h.cg = 0;
      return;
    }
    if (outcome === 'error') h.cg = 0;
    else if (++h.cg === this.cfg.consecutiveGatewayFailure) {
      h.cg = 0;
      this.eject(h);
    }
    if (++h.c5 === this.cfg.consecutive5xx) {
      h.c5 = 0;
      this.eject(h);
    }
  }

  evaluate(): void {
    for (const h of this.hosts) {
      const d = Math.min(this.cfg.baseEjectionTimeMs * h.backoff, this.cfg.maxEjectionTimeMs);
      if (h.ejected && this.now - h.ejectedAt >= d) {
        h.ejected = false;
        h.lastUneject = this.now;
      }
    }
    if (this.now - this.lastSweep >= this.cfg.intervalMs) {
      this.lastSweep = this.now;
      for (const h of this.hosts) {
        if (!h.ejected && h.backoff > 0 && this.now - h.lastUneject >= this.cfg.intervalMs) h.backoff--;
      }
    }
  }
}

interface Real {
  detector: OutlierDetector<number>;
  hosts: OutlierHost<number>[];
  overCap: boolean;
}

type Cmd = fc.Command<Model, Real>;

function compare(m: Model, r: Real): void {
  expect(r.overCap).toBe(false);
  expect(r.detector.ejectedCount).toBe(m.ejected);
  expect(r.hosts.map((h) => [h.ref, h.ejected, h.backoff])).toEqual(
    m.hosts.map((h) => [h.id, h.ejected, h.backoff]),
  );
}

class RecordCmd implements Cmd {
  constructor(
    readonly index: number,
    readonly outcome: Outcome,
    readonly times: number,
  ) {}
  check(m: Readonly<Model>): boolean {
    return m.hosts.length > 0;
  }
  run(m: Model, r: Real): void {
    const i = this.index % m.hosts.length;
    for (let k = 0; k < this.times; k++) {
      m.record(m.hosts[i]!, this.outcome);
      r.detector.record(r.hosts[i]!, this.outcome, m.now);
    }
    compare(m, r);
  }
  toString(): string {
    return `record(${this.index}, ${this.outcome} ×${this.times})`;
  }
}

class AdvanceCmd implements Cmd {
  constructor(readonly ms: number) {}
  check(): boolean {
    return true;
  }
  run(m: Model, r: Real): void {
    m.now += this.ms;
    m.evaluate();
    r.detector.evaluate(m.now);
    compare(m, r);
  }
  toString(): string {
    return `advance(${this.ms})`;
  }
}

class AddCmd implements Cmd {
  check(m: Readonly<Model>): boolean {
    return m.hosts.length < 40;
  }
  run(m: Model, r: Real): void {
    const id = m.nextId++;
    m.hosts.push({ id, c5: 0, cg: 0, ejected: false, ejectedAt: 0, backoff: 0, lastUneject: Number.NaN });
    r.hosts.push(r.detector.add(id));
    compare(m, r);
  }
  toString(): string {
    return 'add()';
  }
}

class RemoveCmd implements Cmd {
  constructor(readonly index: number) {}
  check(m: Readonly<Model>): boolean {
    return m.hosts.length > 0;
  }
  run(m: Model, r: Real): void {
    const i = this.index % m.hosts.length;
    m.hosts.splice(i, 1);
    r.detector.remove(r.hosts.splice(i, 1)[0]!);
    compare(m, r);
  }
  toString(): string {
    return `remove(${this.index})`;
  }
}

describe('OutlierDetector (model-based)', () => {
  it('matches the reference model and never ejects past maxEjectionPercent (at least one)', () => {
    const outcome = fc.constantFrom<Outcome>(
      'success',
      'error',
      'gateway-error',
      'local-origin-error',
      'cancelled',
    );
    const commands = [
      fc.tuple(fc.nat(), outcome, fc.integer({ min: 1, max: 6 })).map(([i, o, t]) => new RecordCmd(i, o, t)),
      fc.integer({ min: 1, max: 40_000 }).map((ms) => new AdvanceCmd(ms)),
      fc.constant(new AddCmd()),
      fc.nat().map((i) => new RemoveCmd(i)),
    ];
    fc.assert(
      fc.property(
        fc.record({
          consecutive5xx: fc.integer({ min: 1, max: 6 }),
          consecutiveGatewayFailure: fc.integer({ min: 1, max: 6 }),
          baseEjectionTimeMs: fc.integer({ min: 1_000, max: 30_000 }),
          extra: fc.integer({ min: 0, max: 100_000 }),
          intervalMs: fc.integer({ min: 1_000, max: 20_000 }),
          maxEjectionPercent: fc.integer({ min: 0, max: 100 }),
        }),
        fc.integer({ min: 1, max: 12 }),
        fc.commands(commands, { maxCommands: 80 }),
        (c, initial, cmds) => {
          const cfg: Config = { ...c, maxEjectionTimeMs: c.baseEjectionTimeMs + c.extra };
          const options = resolveOutlierOptions({
            consecutive5xx: cfg.consecutive5xx,
            consecutiveGatewayFailure: cfg.consecutiveGatewayFailure,
            enforcingConsecutiveGatewayFailure: 100,
            baseEjectionTimeMs: cfg.baseEjectionTimeMs,
            maxEjectionTimeMs: cfg.maxEjectionTimeMs,
            intervalMs: cfg.intervalMs,
            maxEjectionPercent: cfg.maxEjectionPercent,
            enforcingSuccessRate: 0,
            enforcingFailurePercentage: 0,
          });
          const setup = () => {
            const model = new Model(cfg);
            const real: Real = { detector: undefined as never, hosts: [], overCap: false };
            real.detector = new OutlierDetector<number>(
              options,
              () => 0.5,
              {
                onEject: () => {
                  if (real.detector.ejectedCount > real.detector.maxEjections) real.overCap = true;
                },
                onUneject: () => {},
              },
              0,
            );
            for (let i = 0; i < initial; i++) new AddCmd().run(model, real);
            return { model, real };
          };
          fc.modelRun(setup, cmds);
        },
      ),
      { seed: SEED, numRuns: 1000 },
    );
  });
});

describe('OutlierDetector cap with every detector on (model-based)', () => {
  // Model: only the ejected set and the cap; the interval detectors are too numeric to mirror, but
  // whatever they decide must respect maxEjectionPercent.
  interface CapModel {
    hosts: number;
    now: number;
  }
  interface CapReal {
    detector: OutlierDetector<number>;
    hosts: OutlierHost<number>[];
    violations: number;
  }
  type CapCmd = fc.Command<CapModel, CapReal>;

  const check = (m: CapModel, r: CapReal) => {
    expect(r.violations).toBe(0);
    expect(r.hosts.filter((h) => h.ejected).length).toBe(r.detector.ejectedCount);
    expect(r.detector.size).toBe(m.hosts);
  };

  class Burst implements CapCmd {
    constructor(
      readonly index: number,
      readonly outcome: Outcome,
      readonly times: number,
    ) {}
    check = () => true;
    run(m: CapModel, r: CapReal): void {
      const h = r.hosts[this.index % r.hosts.length]!;
      for (let k = 0; k < this.times; k++) r.detector.record(h, this.outcome, m.now);
      check(m, r);
    }
    toString = () => `burst(${this.index}, ${this.outcome} ×${this.times})`;
  }

  class Tick implements CapCmd {
    constructor(readonly ms: number) {}
    check = () => true;
    run(m: CapModel, r: CapReal): void {
      m.now += this.ms;
      r.detector.evaluate(m.now);
      check(m, r);
    }
    toString = () => `tick(${this.ms})`;
  }

  it('never holds more than max(1, ⌊n·maxEjectionPercent/100⌋) ejected at an ejection', () => {
    const outcome = fc.constantFrom<Outcome>('success', 'error', 'gateway-error', 'local-origin-error');
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 0, max: 100 }),
        fc.boolean(),
        fc.integer(),
        fc.commands(
          [
            fc
              .tuple(fc.nat(), outcome, fc.integer({ min: 1, max: 40 }))
              .map(([i, o, t]) => new Burst(i, o, t)),
            fc.integer({ min: 100, max: 30_000 }).map((ms) => new Tick(ms)),
          ],
          { maxCommands: 60 },
        ),
        (n, maxEjectionPercent, split, seed, cmds) => {
          const options = resolveOutlierOptions({
            maxEjectionPercent,
            splitExternalLocalOriginErrors: split,
            consecutive5xx: 3,
            consecutiveGatewayFailure: 2,
            enforcingConsecutiveGatewayFailure: 100,
            consecutiveLocalOriginFailure: 2,
            successRateMinimumHosts: 2,
            successRateRequestVolume: 5,
            successRateStdevFactor: 500,
            failurePercentageMinimumHosts: 2,
            failurePercentageRequestVolume: 5,
            failurePercentageThreshold: 30,
            enforcingFailurePercentage: 100,
            intervalMs: 5_000,
            baseEjectionTimeMs: 10_000,
          });
          let s = seed >>> 0;
          const random = () => {
            s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
            return s / 4294967296;
          };
          fc.modelRun(() => {
            const real: CapReal = { detector: undefined as never, hosts: [], violations: 0 };
            real.detector = new OutlierDetector<number>(
              options,
              random,
              {
                onEject: () => {
                  const cap = Math.max(1, Math.floor((n * maxEjectionPercent) / 100));
                  if (real.detector.ejectedCount > cap) real.violations++;
                },
                onUneject: () => {},
              },
              0,
            );
            for (let i = 0; i < n; i++) real.hosts.push(real.detector.add(i));
            return { model: { hosts: n, now: 0 }, real };
          }, cmds);
        },
      ),
      { seed: SEED, numRuns: 1000 },
    );
  });
});
