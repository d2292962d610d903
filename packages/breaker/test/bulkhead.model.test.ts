import { Bulkhead, isBulkheadFullError, type Permit } from '@breakwater/breaker';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { propertyParams } from './support/breaker-model.js';
import { FakeTime, flush } from './support/fake-time.js';

interface Config {
  maxConcurrent: number;
  maxQueue: number;
  queueTimeoutMs: number;
}

/** A caller as the test sees it: admitted (holding a permit), waiting, or refused. */
interface Caller {
  id: number;
  permit: Permit | undefined;
  error: unknown;
  controller: AbortController;
  released: boolean;
}

interface Model {
  config: Config;
  inFlight: number;
  /** Waiting callers in FIFO order, with their deadlines. */
  queue: { id: number; deadline: number }[];
  holders: Set<number>;
  refused: Map<number, 'full' | 'queue-timeout' | 'aborted'>;
}

interface Real {
  bulkhead: Bulkhead;
  time: FakeTime;
  callers: Caller[];
  nextId: number;
}

async function check(model: Model, real: Real): Promise<void> {
  await flush();
  const b = real.bulkhead;
  expect(b.inFlight).toBe(model.inFlight);
  expect(b.queued).toBe(model.queue.length);
  expect(b.inFlight).toBeLessThanOrEqual(model.config.maxConcurrent);
  expect(b.queued).toBeLessThanOrEqual(model.config.maxQueue);
  // Exactly the callers the model admitted hold permits (so FIFO order was kept).
  for (const c of real.callers) {
    expect(c.permit !== undefined && !c.released, `caller ${c.id} holds`).toBe(model.holders.has(c.id));
    const refused = model.refused.get(c.id);
    if (refused === 'aborted') expect(c.error).toBe(`abort-${c.id}`);
    else if (refused)
      expect(isBulkheadFullError(c.error) && c.error.reason === refused, `caller ${c.id}`).toBe(true);
    else expect(c.error).toBeUndefined();
  }
  // A timer exists only while someone waits with a finite timeout.
  const waitsWithTimeout = model.queue.length > 0 && Number.isFinite(model.config.queueTimeoutMs);
  expect(real.time.pending.size).toBe(waitsWithTimeout ? 1 : 0);
}

function grantNext(model: Model): void {
  while (model.inFlight < model.config.maxConcurrent && model.queue.length > 0) {
    const w = model.queue.shift()!;
    model.inFlight++;
    model.holders.add(w.id);
  }
}

type Cmd = fc.AsyncCommand<Model, Real>;

class TryAcquire implements Cmd {
  check = (): boolean => true;
  async run(model: Model, real: Real): Promise<void> {
    const id = real.nextId++;
    const caller: Caller = {
      id,
      permit: undefined,
      error: undefined,
      controller: new AbortController(),
      released: false,
    };
    real.callers.push(caller);
    caller.permit = real.bulkhead.tryAcquire();
    const free = model.inFlight < model.config.maxConcurrent && model.queue.length === 0;
    expect(caller.permit !== undefined).toBe(free);
    if (free) {
      model.inFlight++;
      model.holders.add(id);
    }
    await check(model, real);
  }
  toString = (): string => 'tryAcquire';
}

class Acquire implements Cmd {
  check = (): boolean => true;
  async run(model: Model, real: Real): Promise<void> {
    const id = real.nextId++;
    const caller: Caller = {
      id,
      permit: undefined,
      error: undefined,
      controller: new AbortController(),
      released: false,
    };
    real.callers.push(caller);
    real.bulkhead.acquire(caller.controller.signal).then(
      (p) => {
        caller.permit = p;
      },
      (e: unknown) => {
        caller.error = e;
      },
    );
    if (model.inFlight < model.config.maxConcurrent && model.queue.length === 0) {
      model.inFlight++;
      model.holders.add(id);
    } else if (model.queue.length < model.config.maxQueue) {
      model.queue.push({ id, deadline: real.time.now + model.config.queueTimeoutMs });
    } else {
      model.refused.set(id, 'full');
    }
    await check(model, real);
  }
  toString = (): string => 'acquire';
}

class Release implements Cmd {
  constructor(
    readonly index: number,
    readonly how: 'success' | 'failure' | 'ignore',
    readonly twice: boolean,
  ) {}
  check = (): boolean => true;
  async run(model: Model, real: Real): Promise<void> {
    const holders = real.callers.filter((c) => c.permit && !c.released);
    if (holders.length === 0) return;
    const c = holders[this.index % holders.length]!;
    c.released = true;
    const settle = (): void => (this.how === 'ignore' ? c.permit!.ignore() : c.permit![this.how](1));
    settle();
    if (this.twice) settle(); // a second settle must not free a second slot
    model.holders.delete(c.id);
    model.inFlight--;
    grantNext(model);
    await check(model, real);
  }
  toString = (): string => `${this.how}#${this.index}${this.twice ? ' twice' : ''}`;
}

class Abort implements Cmd {
  constructor(readonly index: number) {}
  check = (): boolean => true;
  async run(model: Model, real: Real): Promise<void> {
    const c = real.callers[this.index % Math.max(1, real.callers.length)];
    if (!c || c.controller.signal.aborted) return;
    c.controller.abort(`abort-${c.id}`);
    const at = model.queue.findIndex((w) => w.id === c.id);
    if (at >= 0) {
      model.queue.splice(at, 1);
      model.refused.set(c.id, 'aborted');
    }
    await check(model, real);
  }
  toString = (): string => `abort#${this.index}`;
}

class Advance implements Cmd {
  constructor(readonly ms: number) {}
  check = (): boolean => true;
  async run(model: Model, real: Real): Promise<void> {
    real.time.advance(this.ms);
    while (model.queue.length > 0 && model.queue[0]!.deadline <= real.time.now) {
      model.refused.set(model.queue.shift()!.id, 'queue-timeout');
    }
    await check(model, real);
  }
  toString = (): string => `advance(${this.ms})`;
}

const commands = fc.commands(
  [
    fc.oneof(
      { weight: 2, arbitrary: fc.constant<Cmd>(new TryAcquire()) },
      { weight: 4, arbitrary: fc.constant<Cmd>(new Acquire()) },
      {
        weight: 4,
        arbitrary: fc
          .tuple(
            fc.nat(10),
            fc.constantFrom('success', 'failure', 'ignore') as fc.Arbitrary<'success'>,
            fc.boolean(),
          )
          .map(([i, how, twice]): Cmd => new Release(i, how, twice)),
      },
      { weight: 1, arbitrary: fc.nat(20).map((i): Cmd => new Abort(i)) },
      { weight: 2, arbitrary: fc.integer({ min: 1, max: 60 }).map((ms): Cmd => new Advance(ms)) },
    ),
  ],
  { maxCommands: 40, size: 'max' },
);

const configArb: fc.Arbitrary<Config> = fc.record({
  maxConcurrent: fc.integer({ min: 1, max: 3 }),
  maxQueue: fc.integer({ min: 0, max: 3 }),
  queueTimeoutMs: fc.oneof(fc.integer({ min: 1, max: 100 }), fc.constant(Number.POSITIVE_INFINITY)),
});

describe('Bulkhead against the reference model', () => {
  it('admits in FIFO order, never exceeds its limits, removes aborted and timed-out waiters, and arms a timer only while someone waits', async () => {
    await fc.assert(
      fc.asyncProperty(configArb, commands, async (config, cmds) => {
        const time = new FakeTime();
        const bulkhead = new Bulkhead({ ...config, clock: time.clock, timers: time.timers });
        const model: Model = { config, inFlight: 0, queue: [], holders: new Set(), refused: new Map() };
        await fc.asyncModelRun(() => ({ model, real: { bulkhead, time, callers: [], nextId: 0 } }), cmds);
        await bulkhead.close();
        expect(time.pending.size).toBe(0);
      }),
      propertyParams,
    );
  });
});
