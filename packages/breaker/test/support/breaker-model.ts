// A reference model of the breaker's state machine, kept deliberately naive, and the fast-check
// commands that drive a real CircuitBreaker and the model side by side.
import {
  CircuitBreaker,
  type CircuitStateType,
  isLegalTransition,
  type Permit,
  type TripStrategy,
} from '@breakwater/breaker';
import fc from 'fast-check';
import { expect } from 'vitest';
import { FakeTime, lcg } from './fake-time.js';
import type { StrategyModel } from './strategy-models.js';

export interface MachineConfig {
  halfOpenMaxProbes: number;
  halfOpenSuccesses: number;
  openDurationMs: number;
  backoff: { multiplier: number; maxMs: number; jitter: number } | undefined;
}

export const machineConfigArb: fc.Arbitrary<MachineConfig> = fc
  .record({
    halfOpenMaxProbes: fc.integer({ min: 1, max: 3 }),
    halfOpenSuccesses: fc.integer({ min: 1, max: 3 }),
    openDurationMs: fc.integer({ min: 1, max: 50 }),
    backoff: fc.option(
      fc.record({
        multiplier: fc.integer({ min: 1, max: 3 }),
        maxMs: fc.integer({ min: 50, max: 400 }),
        jitter: fc.constantFrom(0, 0.25, 0.5),
      }),
      { nil: undefined },
    ),
  })
  .map((c) => c);

/** A permit of one closed period (which counts its outstanding calls) or one probe. */
interface ModelPermit {
  kind: 'closed' | 'probe';
  period: { outstanding: number; current: boolean } | undefined;
  epoch: number;
  settled: boolean;
}

export class BreakerModel {
  state: CircuitStateType = 'closed';
  retryAt = 0;
  openings = 0;
  probesInFlight = 0;
  probeSuccesses = 0;
  epoch = 0;
  period = { outstanding: 0, current: true };
  admitted = 0;
  settles = 0;

  constructor(
    readonly config: MachineConfig,
    readonly strategy: StrategyModel,
    readonly random: () => number,
  ) {}

  #newPeriod(): void {
    this.period.current = false;
    this.period = { outstanding: 0, current: true };
  }

  #move(to: CircuitStateType): void {
    if (this.state === 'closed' && to !== 'closed') this.#newPeriod();
    this.state = to;
    this.epoch++;
  }

  #open(now: number): void {
    const b = this.config.backoff;
    let d = this.config.openDurationMs;
    if (b) {
      d = Math.min(b.maxMs, this.config.openDurationMs * b.multiplier ** this.openings);
      if (b.jitter > 0) d *= 1 - b.jitter * this.random();
    }
    this.openings++;
    this.retryAt = now + d;
    this.#move('open');
  }

  #close(): void {
    this.openings = 0;
    this.strategy.reset();
    this.#move('closed');
    this.#newPeriod();
  }

  acquire(now: number): ModelPermit | undefined {
    if (this.state === 'closed') {
      this.period.outstanding++;
      this.admitted++;
      return { kind: 'closed', period: this.period, epoch: this.epoch, settled: false };
    }
    if (this.state === 'open' && now >= this.retryAt) {
      this.probesInFlight = 0;
      this.probeSuccesses = 0;
      this.#move('half-open');
    }
    if (this.state === 'half-open' && this.probesInFlight < this.config.halfOpenMaxProbes) {
      this.probesInFlight++;
      this.admitted++;
      return { kind: 'probe', period: undefined, epoch: this.epoch, settled: false };
    }
    return undefined;
  }

  settle(p: ModelPermit, outcome: 'success' | 'failure' | 'ignore', durationMs: number, now: number): void {
    if (p.kind === 'closed') {
      const period = p.period!;
      if (p.settled) return;
      period.outstanding--;
      p.settled = true;
      this.settles++;
      if (!period.current || outcome === 'ignore') return;
      if (this.strategy.record(outcome === 'failure', durationMs, now)) this.#open(now);
      return;
    }
    if (p.settled) return;
    p.settled = true;
    this.settles++;
    if (p.epoch !== this.epoch) return;
    this.probesInFlight--;
    if (outcome === 'ignore') return;
    if (outcome === 'failure') this.#open(now);
    else if (++this.probeSuccesses >= this.config.halfOpenSuccesses) this.#close();
  }

  isolate(): void {
    if (this.state !== 'isolated') this.#move('isolated');
  }

  reset(): void {
    if (this.state === 'closed') {
      this.openings = 0;
      this.strategy.reset();
      this.#newPeriod();
      this.epoch++;
    } else {
      this.#close();
    }
  }
}

export interface Real {
  breaker: CircuitBreaker;
  time: FakeTime;
  permits: { real: Permit; model: ModelPermit }[];
  settled: { real: Permit; model: ModelPermit }[];
  /** (from, to, model window calls at that moment) for each state change the breaker emitted. */
  transitions: {
    from: CircuitStateType;
    to: CircuitStateType;
    windowCalls: number;
    consecutive: number | undefined;
  }[];
}

/** Wires the transition log; the window size is read from the model at the moment of each change. */
export function observe(real: Real, model: BreakerModel): void {
  real.breaker.onStateChange(({ from, to }) => {
    real.transitions.push({
      from: from.type,
      to: to.type,
      windowCalls: model.strategy.windowCalls(real.time.now),
      consecutive: model.strategy.consecutive,
    });
  });
}

function checkInvariants(model: BreakerModel, real: Real): void {
  const s = real.breaker.state;
  expect(s.type).toBe(model.state);
  if (s.type === 'open') expect(s.retryAt).toBeCloseTo(model.retryAt, 9);
  const stats = real.breaker.stats;
  if (s.type === 'half-open') expect(stats.inFlight).toBeLessThanOrEqual(model.config.halfOpenMaxProbes);
  expect(stats.inFlight).toBe(
    model.state === 'closed'
      ? model.period.outstanding
      : model.state === 'half-open'
        ? model.probesInFlight
        : 0,
  );
  // Settles never outnumber admissions, however often permits are settled.
  expect(stats.successes + stats.failures + stats.ignored).toBeLessThanOrEqual(stats.admitted);
  expect(stats.successes + stats.failures + stats.ignored).toBe(model.settles);
  expect(stats.admitted).toBe(model.admitted);
  for (const t of real.transitions) expect(isLegalTransition(t.from, t.to), `${t.from}->${t.to}`).toBe(true);
}

type Cmd = fc.Command<BreakerModel, Real>;

class Acquire implements Cmd {
  check(): boolean {
    return true;
  }
  run(model: BreakerModel, real: Real): void {
    const before = real.breaker.state;
    const m = model.acquire(real.time.now);
    const r = real.breaker.tryAcquire();
    expect(r !== undefined, `admitted in ${before.type}`).toBe(m !== undefined);
    // No call passes while open (time not up) or isolated.
    if (before.type === 'isolated') expect(r).toBeUndefined();
    if (before.type === 'open' && real.time.now < before.retryAt) expect(r).toBeUndefined();
    if (r && m) real.permits.push({ real: r, model: m });
    checkInvariants(model, real);
  }
  toString(): string {
    return 'acquire';
  }
}

class Settle implements Cmd {
  constructor(
    readonly index: number,
    readonly outcome: 'success' | 'failure' | 'ignore',
    readonly durationMs: number,
  ) {}
  check(): boolean {
    return true;
  }
  run(model: BreakerModel, real: Real): void {
    if (real.permits.length === 0) return;
    const [p] = real.permits.splice(this.index % real.permits.length, 1);
    model.settle(p!.model, this.outcome, this.durationMs, real.time.now);
    if (this.outcome === 'ignore') p!.real.ignore();
    else p!.real[this.outcome](this.durationMs);
    real.settled.push(p!);
    checkInvariants(model, real);
  }
  toString(): string {
    return `${this.outcome}#${this.index}(${this.durationMs}ms)`;
  }
}

/** Settles a permit a second time: a no-op for probes; for the shared closed permit, bounded by admissions. */
class SettleAgain implements Cmd {
  constructor(
    readonly index: number,
    readonly outcome: 'success' | 'failure' | 'ignore',
  ) {}
  check(): boolean {
    return true;
  }
  run(model: BreakerModel, real: Real): void {
    if (real.settled.length === 0) return;
    const p = real.settled[this.index % real.settled.length]!;
    const before = real.breaker.stats;
    model.settle(p.model, this.outcome, 1, real.time.now);
    if (this.outcome === 'ignore') p.real.ignore();
    else p.real[this.outcome](1);
    if (p.model.kind === 'probe') expect(real.breaker.stats).toEqual(before);
    checkInvariants(model, real);
  }
  toString(): string {
    return `again-${this.outcome}#${this.index}`;
  }
}

class Advance implements Cmd {
  constructor(readonly ms: number) {}
  check(): boolean {
    return true;
  }
  run(model: BreakerModel, real: Real): void {
    real.time.now += this.ms;
    checkInvariants(model, real);
  }
  toString(): string {
    return `advance(${this.ms})`;
  }
}

class Isolate implements Cmd {
  check(): boolean {
    return true;
  }
  run(model: BreakerModel, real: Real): void {
    model.isolate();
    real.breaker.isolate();
    expect(real.breaker.tryAcquire()).toBeUndefined();
    checkInvariants(model, real);
  }
  toString(): string {
    return 'isolate';
  }
}

class Reset implements Cmd {
  check(): boolean {
    return true;
  }
  run(model: BreakerModel, real: Real): void {
    model.reset();
    real.breaker.reset();
    checkInvariants(model, real);
  }
  toString(): string {
    return 'reset';
  }
}

const outcomeArb = fc.constantFrom<'success' | 'failure' | 'ignore'>(
  'success',
  'failure',
  'failure',
  'ignore',
);

/** The command mix: acquires and settles dominate; slow calls come from large durations. */
export function breakerCommands(maxCommands = 80): fc.Arbitrary<Iterable<Cmd>> {
  const command: fc.Arbitrary<Cmd> = fc.oneof(
    { weight: 6, arbitrary: fc.constant(new Acquire()) },
    {
      weight: 3,
      arbitrary: fc
        .tuple(fc.nat(20), outcomeArb, fc.integer({ min: 90, max: 200 }))
        .map(([i, o, d]) => new Settle(i, o, d)),
    },
    {
      weight: 4,
      arbitrary: fc
        .tuple(fc.nat(20), outcomeArb, fc.integer({ min: 0, max: 20 }))
        .map(([i, o, d]) => new Settle(i, o, d)),
    },
    { weight: 1, arbitrary: fc.tuple(fc.nat(20), outcomeArb).map(([i, o]) => new SettleAgain(i, o)) },
    { weight: 2, arbitrary: fc.integer({ min: 1, max: 120 }).map((ms) => new Advance(ms)) },
    { weight: 1, arbitrary: fc.constantFrom<Cmd>(new Isolate(), new Reset()) },
  );
  return fc.commands([command], { maxCommands, size: 'max' });
}

/** Checks that were made after each run: every trip happened with a window of at least minimumCalls. */
export function checkTrips(real: Real, minimumCalls: number, consecutiveThreshold?: number): void {
  for (const t of real.transitions) {
    if (t.from === 'closed' && t.to === 'open') {
      expect(t.windowCalls).toBeGreaterThanOrEqual(minimumCalls);
      if (consecutiveThreshold !== undefined) expect(t.consecutive).toBe(consecutiveThreshold);
    }
  }
}

export function breakerFor(
  config: MachineConfig,
  strategy: TripStrategy,
  time: FakeTime,
  random: () => number = lcg(7),
): CircuitBreaker {
  return new CircuitBreaker({
    strategy,
    clock: time.clock,
    random,
    openDurationMs: config.openDurationMs,
    openBackoff: config.backoff,
    halfOpenMaxProbes: config.halfOpenMaxProbes,
    halfOpenSuccesses: config.halfOpenSuccesses,
  });
}

/** Runs one command sequence against a fresh breaker and model; returns the real side for more checks. */
export function runMachine(
  config: MachineConfig,
  strategy: TripStrategy,
  strategyModel: StrategyModel,
  commands: Iterable<Cmd>,
): Real {
  const time = new FakeTime();
  const model = new BreakerModel(config, strategyModel, lcg(7));
  const real: Real = {
    breaker: breakerFor(config, strategy, time),
    time,
    permits: [],
    settled: [],
    transitions: [],
  };
  observe(real, model);
  fc.modelRun(() => ({ model, real }), commands);
  return real;
}

/** Seeded and reproducible; 1,000 runs per property as the issue asks. */
export const propertyParams = { seed: 20_260_401, numRuns: 1000 } as const;
