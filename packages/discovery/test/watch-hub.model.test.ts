import {
  createEndpoint,
  createSnapshot,
  nextIndex,
  type Snapshot,
  type WatchEvent,
} from '@breakwater/discovery';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WatchHub, type WatchSink } from '../src/watch-hub.js';

// Snapshot pool: contents A, B, A' (equal to A, another object), empty.
const A = createSnapshot([createEndpoint({ host: 'h', port: 1 })]);
const B = createSnapshot([createEndpoint({ host: 'h', port: 1 }), createEndpoint({ host: 'h', port: 2 })]);
const A2 = createSnapshot([createEndpoint({ host: 'h', port: 1 })]);
const EMPTY = createSnapshot([]);
const POOL: readonly { key: string; snapshot: Snapshot }[] = [
  { key: 'A', snapshot: A },
  { key: 'B', snapshot: B },
  { key: 'A', snapshot: A2 },
  { key: 'E', snapshot: EMPTY },
];
const SERVICES = ['s0', 's1'] as const;

interface Model {
  listeners: Map<number, string>; // listener id -> service
  state: Map<string, { snap: string | undefined; error: boolean }>;
  expected: Map<number, string[]>;
  nextId: number;
}

interface Real {
  hub: WatchHub;
  sinks: Map<string, WatchSink>;
  starts: Map<string, number>;
  disposers: Map<number, () => void>;
  got: Map<number, string[]>;
}

// The hub replays state on a microtask; one await lets it run.
const flush = () => Promise.resolve();
// Event -> content key (A/A' share one); 'X' for errors.
const describeEvent = (e: WatchEvent) =>
  e.type === 'error' ? 'X' : e.endpoints.length === 0 ? 'E' : e.endpoints.length === 1 ? 'A' : 'B';

// Plain comparisons (not expect) keep 1,000 runs fast.
function check(m: Model, r: Real): void {
  const active = [...new Set(m.listeners.values())].sort().join();
  const upstream = [...r.sinks.keys()].sort().join();
  if (active !== upstream)
    throw new Error(`upstream watches ${upstream} != services with listeners ${active}`);
  if (r.hub.size !== new Set(m.listeners.values()).size) throw new Error('hub size mismatch');
  for (const [id, exp] of m.expected) {
    const got = (r.got.get(id) ?? []).join();
    if (got !== exp.join()) throw new Error(`listener ${id}: got ${got}, expected ${exp.join()}`);
  }
}

class Subscribe implements fc.AsyncCommand<Model, Real> {
  constructor(readonly service: string) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const id = m.nextId++;
    const listeners = [...m.listeners.values()].filter((s) => s === this.service).length;
    m.listeners.set(id, this.service);
    m.expected.set(id, []);
    if (listeners === 0) {
      m.state.set(this.service, { snap: undefined, error: false });
    } else {
      const st = m.state.get(this.service)!;
      if (st.snap !== undefined) m.expected.get(id)!.push(st.snap);
      else if (st.error) m.expected.get(id)!.push('X');
    }
    r.got.set(id, []);
    r.disposers.set(
      id,
      r.hub.subscribe(this.service, (e) => r.got.get(id)!.push(describeEvent(e))),
    );
    await flush();
    check(m, r);
  }
  toString = () => `subscribe(${this.service})`;
}

class Dispose implements fc.AsyncCommand<Model, Real> {
  constructor(readonly pick: number) {}
  check = (m: Readonly<Model>) => m.listeners.size > 0;
  async run(m: Model, r: Real) {
    const ids = [...m.listeners.keys()];
    const id = ids[this.pick % ids.length]!;
    const service = m.listeners.get(id)!;
    m.listeners.delete(id);
    if (![...m.listeners.values()].includes(service)) m.state.delete(service);
    r.disposers.get(id)!();
    r.disposers.get(id)!(); // idempotent
    await flush();
    check(m, r);
  }
  toString = () => `dispose(${this.pick})`;
}

class Update implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly service: string,
    readonly variant: number,
  ) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const { key, snapshot } = POOL[this.variant]!;
    const st = m.state.get(this.service);
    if (st !== undefined) {
      st.error = false;
      if (st.snap !== key) {
        st.snap = key;
        for (const [id, s] of m.listeners) if (s === this.service) m.expected.get(id)!.push(key);
      }
    }
    r.sinks.get(this.service)?.update(snapshot);
    await flush();
    check(m, r);
  }
  toString = () => `update(${this.service}, ${POOL[this.variant]!.key})`;
}

class Fail implements fc.AsyncCommand<Model, Real> {
  constructor(readonly service: string) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const st = m.state.get(this.service);
    if (st !== undefined) {
      st.error = true;
      for (const [id, s] of m.listeners) if (s === this.service) m.expected.get(id)!.push('X');
    }
    r.sinks.get(this.service)?.error(new Error('boom'));
    await flush();
    check(m, r);
  }
  toString = () => `error(${this.service})`;
}

describe('WatchHub (model-based)', () => {
  it('refcounts upstream watches, deduplicates snapshots and replays the state in force', async () => {
    const service = fc.constantFrom(...SERVICES);
    const commands = [
      service.map((s) => new Subscribe(s)),
      fc.nat(20).map((n) => new Dispose(n)),
      fc.tuple(service, fc.nat(POOL.length - 1)).map(([s, v]) => new Update(s, v)),
      service.map((s) => new Fail(s)),
    ];
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { size: '+1' }), async (cmds) => {
        const sinks = new Map<string, WatchSink>();
        const starts = new Map<string, number>();
        const hub = new WatchHub(
          (s, sink) => {
            sinks.set(s, sink);
            starts.set(s, (starts.get(s) ?? 0) + 1);
            return () => sinks.delete(s);
          },
          (e) => {
            throw e;
          },
        );
        const model: Model = { listeners: new Map(), state: new Map(), expected: new Map(), nextId: 0 };
        const real: Real = { hub, sinks, starts, disposers: new Map(), got: new Map() };
        await fc.asyncModelRun(() => ({ model, real }), cmds);
        hub.close();
        expect(sinks.size).toBe(0);
      }),
      { seed: 20261126, numRuns: 1000 },
    );
  });
});

describe('nextIndex (Consul blocking-query index rules)', () => {
  it('resets to 0 exactly when the index goes backwards, and otherwise never goes below 1', () => {
    fc.assert(
      fc.property(fc.nat(1_000_000), fc.option(fc.nat(1_000_000), { nil: undefined }), (prev, returned) => {
        const { index, reset } = nextIndex(prev, returned);
        if (returned !== undefined && returned < prev) {
          expect(reset).toBe(true);
          expect(index).toBe(0);
        } else {
          expect(reset).toBe(false);
          expect(index).toBeGreaterThanOrEqual(1);
          if (returned !== undefined) expect(index).toBe(Math.max(1, returned));
        }
      }),
      { seed: 42, numRuns: 1000 },
    );
  });
});
