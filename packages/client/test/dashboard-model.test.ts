// Model-based test of the dashboard's collector: random sequences of channel messages, clock moves,
// ticks and lazy snapshot reads, checked after every step against a small reference model.
import diagnostics from 'node:diagnostics_channel';
import { createDashboard, type Dashboard, type DashboardSnapshot } from '@breakwater/client';
import fc from 'fast-check';
import { expect, it } from 'vitest';

const INTERVAL = 1000;
const MAX_EVENTS = 8;
const SERVICES = ['m-a', 'm-b'] as const;
const ENDPOINTS = ['e1', 'e2', 'e3', 'e4'] as const;

interface ModelEndpoint {
  attempts: number;
  failures: number;
  cancelled: number;
  latencies: number[];
  totalAttempts: number;
  totalFailures: number;
  transitions: number;
  ejections: number;
  breaker: string | undefined;
  ejected: boolean;
  last: { rate: number; successRate: number; p99: number; lat: number[] };
}
interface ModelService {
  requests: number;
  successes: number;
  failures: number;
  retries: number;
  latencies: number[];
  totals: { requests: number; successes: number; failures: number; retries: number };
  transitions: number;
  ejections: number;
  breaker: string | undefined;
  endpoints: Map<string, ModelEndpoint>;
  last: { rate: number; successRate: number; retries: number; lat: number[] };
  rateHistory: number[];
}
interface Model {
  now: number;
  intervalStart: number;
  services: Map<string, ModelService>;
  events: { kind: string; service: string; endpoint: string | undefined; detail: string }[];
}
interface Real {
  clock: { t: number; now(): number };
  dashboard: Dashboard;
}

const r2 = (x: number): number => Math.round(x * 100) / 100;
const r4 = (x: number): number => Math.round(x * 10_000) / 10_000;

function svcOf(m: Model, name: string): ModelService {
  let s = m.services.get(name);
  if (s === undefined) {
    s = {
      requests: 0,
      successes: 0,
      failures: 0,
      retries: 0,
      latencies: [],
      totals: { requests: 0, successes: 0, failures: 0, retries: 0 },
      transitions: 0,
      ejections: 0,
      breaker: undefined,
      endpoints: new Map(),
      last: { rate: 0, successRate: 1, retries: 0, lat: [] },
      rateHistory: [],
    };
    m.services.set(name, s);
  }
  return s;
}

function epOf(s: ModelService, id: string): ModelEndpoint {
  let e = s.endpoints.get(id);
  if (e === undefined) {
    e = {
      attempts: 0,
      failures: 0,
      cancelled: 0,
      latencies: [],
      totalAttempts: 0,
      totalFailures: 0,
      transitions: 0,
      ejections: 0,
      breaker: undefined,
      ejected: false,
      last: { rate: 0, successRate: 1, p99: 0, lat: [] },
    };
    s.endpoints.set(id, e);
  }
  return e;
}

function event(m: Model, kind: string, service: string, endpoint: string | undefined, detail: string): void {
  m.events.push({ kind, service, endpoint, detail });
  if (m.events.length > MAX_EVENTS) m.events.shift();
}

function tickModel(m: Model): void {
  const seconds = Math.max(0.001, (m.now - m.intervalStart) / 1000);
  m.intervalStart = m.now;
  for (const s of m.services.values()) {
    const counted = s.successes + s.failures;
    s.last = {
      rate: s.requests / seconds,
      successRate: counted === 0 ? 1 : s.successes / counted,
      retries: s.retries,
      lat: s.latencies,
    };
    s.rateHistory.push(r2(s.last.rate));
    if (s.rateHistory.length > 5) s.rateHistory.shift();
    s.requests = s.successes = s.failures = s.retries = 0;
    s.latencies = [];
    for (const e of s.endpoints.values()) {
      const c = e.attempts - e.cancelled;
      e.last = {
        rate: e.attempts / seconds,
        successRate: c === 0 ? 1 : (c - e.failures) / c,
        p99: 0,
        lat: e.latencies,
      };
      e.attempts = e.failures = e.cancelled = 0;
      e.latencies = [];
    }
  }
}

/** The histogram's answer lies within one bucket (+12.5 %) above the exact value, exact at the extremes. */
function expectQuantile(actual: number, values: number[], q: number): void {
  if (values.length === 0) {
    expect(actual).toBe(0);
    return;
  }
  const sorted = [...values].sort((a, b) => a - b);
  const exact = sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
  expect(actual).toBeGreaterThanOrEqual(exact - 0.006);
  expect(actual).toBeLessThanOrEqual(exact * 1.125 + 0.006);
}

function check(m: Model, snap: DashboardSnapshot): void {
  expect(snap.services.map((s) => s.name)).toEqual([...m.services.keys()].sort());
  for (const s of snap.services) {
    const ms = m.services.get(s.name)!;
    expect(s.rate).toBe(r2(ms.last.rate));
    expect(s.successRate).toBe(r4(ms.last.successRate));
    expect(s.retries).toBe(ms.last.retries);
    expectQuantile(s.p50Ms, ms.last.lat, 0.5);
    expectQuantile(s.p99Ms, ms.last.lat, 0.99);
    expect(s.totals).toMatchObject({
      ...ms.totals,
      breakerTransitions: ms.transitions,
      ejections: ms.ejections,
    });
    expect(s.breaker).toBe(ms.breaker ?? 'none');
    expect(s.history.rate).toEqual(ms.rateHistory);
    expect(s.endpoints.map((e) => e.id).sort()).toEqual([...ms.endpoints.keys()].sort());
    for (const e of s.endpoints) {
      const me = ms.endpoints.get(e.id)!;
      expect(e.rate).toBe(r2(me.last.rate));
      expect(e.successRate).toBe(r4(me.last.successRate));
      expectQuantile(e.p99Ms, me.last.lat, 0.99);
      expect(e.breaker).toBe(me.breaker ?? 'closed');
      expect(e.ejected).toBe(me.ejected);
      expect(e.totals).toEqual({
        attempts: me.totalAttempts,
        failures: me.totalFailures,
        breakerTransitions: me.transitions,
        ejections: me.ejections,
      });
    }
  }
  expect(
    snap.events.map((e) => ({ kind: e.kind, service: e.service, endpoint: e.endpoint, detail: e.detail })),
  ).toEqual(m.events);
}

const pub = (name: string, msg: object): void => diagnostics.channel(`breakwater:${name}`).publish(msg);

type Cmd = fc.Command<Model, Real>;
const service = fc.constantFrom(...SERVICES);
const endpoint = fc.constantFrom(...ENDPOINTS);
const duration = fc.double({ min: 0.1, max: 5000, noNaN: true });

class RequestEnd implements Cmd {
  constructor(
    readonly service: string,
    readonly outcome: string,
    readonly ms: number,
  ) {}
  check = (): boolean => true;
  run(m: Model, r: Real): void {
    pub('request:end', { service: this.service, outcome: this.outcome, durationMs: this.ms });
    const s = svcOf(m, this.service);
    s.requests++;
    s.totals.requests++;
    if (this.outcome === 'success') {
      s.successes++;
      s.totals.successes++;
    } else if (this.outcome !== 'cancelled') {
      s.failures++;
      s.totals.failures++;
    }
    if (this.outcome !== 'rejected' && this.outcome !== 'cancelled') s.latencies.push(this.ms);
    check(m, r.dashboard.snapshot());
  }
  toString = (): string => `request:end(${this.service}, ${this.outcome}, ${this.ms})`;
}

class AttemptEnd implements Cmd {
  constructor(
    readonly service: string,
    readonly endpoint: string,
    readonly outcome: string,
    readonly ms: number,
  ) {}
  check = (): boolean => true;
  run(m: Model, r: Real): void {
    pub('attempt:end', {
      service: this.service,
      endpoint: this.endpoint,
      outcome: this.outcome,
      durationMs: this.ms,
    });
    const e = epOf(svcOf(m, this.service), this.endpoint);
    e.attempts++;
    e.totalAttempts++;
    if (this.outcome === 'cancelled') e.cancelled++;
    else {
      if (this.outcome !== 'success') {
        e.failures++;
        e.totalFailures++;
      }
      e.latencies.push(this.ms);
    }
    check(m, r.dashboard.snapshot());
  }
  toString = (): string => `attempt:end(${this.service}, ${this.endpoint}, ${this.outcome}, ${this.ms})`;
}

class Retry implements Cmd {
  constructor(readonly service: string) {}
  check = (): boolean => true;
  run(m: Model, r: Real): void {
    pub('retry', { service: this.service, attempt: 1, delayMs: 1 });
    const s = svcOf(m, this.service);
    s.retries++;
    s.totals.retries++;
    check(m, r.dashboard.snapshot());
  }
  toString = (): string => `retry(${this.service})`;
}

class Endpoints implements Cmd {
  constructor(
    readonly service: string,
    readonly ids: string[],
  ) {}
  check = (): boolean => true;
  run(m: Model, r: Real): void {
    pub('endpoints', { service: this.service, endpoints: this.ids });
    const s = svcOf(m, this.service);
    for (const id of this.ids) {
      if (s.endpoints.has(id)) continue;
      epOf(s, id);
      event(m, 'endpoint-added', this.service, id, 'appeared in the registry');
    }
    for (const id of [...s.endpoints.keys()]) {
      if (this.ids.includes(id)) continue;
      s.endpoints.delete(id);
      event(m, 'endpoint-removed', this.service, id, 'left the registry');
    }
    check(m, r.dashboard.snapshot());
  }
  toString = (): string => `endpoints(${this.service}, [${this.ids}])`;
}

class Breaker implements Cmd {
  constructor(
    readonly service: string,
    readonly endpoint: string | undefined,
    readonly to: string,
  ) {}
  check = (): boolean => true;
  run(m: Model, r: Real): void {
    pub('breaker:state', { service: this.service, endpoint: this.endpoint, from: 'x', to: this.to });
    const s = svcOf(m, this.service);
    s.transitions++;
    if (this.endpoint === undefined) s.breaker = this.to;
    else {
      const e = epOf(s, this.endpoint);
      e.breaker = this.to;
      e.transitions++;
    }
    event(m, 'breaker', this.service, this.endpoint, `x → ${this.to}`);
    check(m, r.dashboard.snapshot());
  }
  toString = (): string => `breaker(${this.service}, ${this.endpoint}, ${this.to})`;
}

class Eject implements Cmd {
  constructor(
    readonly service: string,
    readonly endpoint: string,
    readonly back: boolean,
  ) {}
  check = (): boolean => true;
  run(m: Model, r: Real): void {
    const s = svcOf(m, this.service);
    if (this.back) {
      pub('uneject', { service: this.service, endpoint: this.endpoint });
      const e = s.endpoints.get(this.endpoint);
      if (e !== undefined) e.ejected = false;
      event(m, 'uneject', this.service, this.endpoint, 'back in rotation');
    } else {
      pub('eject', {
        service: this.service,
        endpoint: this.endpoint,
        reason: 'r',
        durationMs: 10,
        ejections: 1,
      });
      const e = epOf(s, this.endpoint);
      e.ejected = true;
      e.ejections++;
      s.ejections++;
      event(m, 'eject', this.service, this.endpoint, 'r for 10 ms');
    }
    check(m, r.dashboard.snapshot());
  }
  toString = (): string => `${this.back ? 'uneject' : 'eject'}(${this.service}, ${this.endpoint})`;
}

/** Moves the clock; the snapshot read closes the interval lazily once it has run its length. */
class Advance implements Cmd {
  constructor(readonly ms: number) {}
  check = (): boolean => true;
  run(m: Model, r: Real): void {
    r.clock.t += this.ms;
    m.now += this.ms;
    if (m.now - m.intervalStart >= INTERVAL) tickModel(m);
    check(m, r.dashboard.snapshot());
  }
  toString = (): string => `advance(${this.ms})`;
}

/** An explicit tick closes the interval whatever its length. */
class Tick implements Cmd {
  check = (): boolean => true;
  run(m: Model, r: Real): void {
    r.dashboard.tick();
    tickModel(m);
    check(m, r.dashboard.snapshot());
  }
  toString = (): string => 'tick';
}

const commands = [
  fc
    .tuple(service, fc.constantFrom('success', 'server_error', 'rejected', 'cancelled', 'deadline'), duration)
    .map(([s, o, d]) => new RequestEnd(s, o, d)),
  fc
    .tuple(service, endpoint, fc.constantFrom('success', 'error', 'gateway-error', 'cancelled'), duration)
    .map(([s, e, o, d]) => new AttemptEnd(s, e, o, d)),
  service.map((s) => new Retry(s)),
  fc.tuple(service, fc.uniqueArray(endpoint, { maxLength: 4 })).map(([s, ids]) => new Endpoints(s, ids)),
  fc
    .tuple(service, fc.option(endpoint, { nil: undefined }), fc.constantFrom('open', 'half-open', 'closed'))
    .map(([s, e, to]) => new Breaker(s, e, to)),
  fc.tuple(service, endpoint, fc.boolean()).map(([s, e, b]) => new Eject(s, e, b)),
  fc.integer({ min: 1, max: 2500 }).map((ms) => new Advance(ms)),
  fc.constant(new Tick()),
];

it('the collector agrees with a reference model on every figure, endpoint and event', () => {
  fc.assert(
    fc.property(fc.commands(commands, { maxCommands: 40 }), (cmds) => {
      const clock = { t: 5_000, now: () => clock.t };
      const dashboard = createDashboard({
        clock,
        intervalMs: INTERVAL,
        historyPoints: 5,
        maxEvents: MAX_EVENTS,
      });
      try {
        fc.modelRun(
          () => ({
            model: { now: 5_000, intervalStart: 5_000, services: new Map(), events: [] },
            real: { clock, dashboard },
          }),
          cmds,
        );
      } finally {
        void dashboard.close();
      }
    }),
    { seed: 20_251_126, numRuns: 1000 },
  );
});
