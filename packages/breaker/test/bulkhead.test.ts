import { Bulkhead, BulkheadFullError, type BulkheadOptions, isBulkheadFullError } from '@breakwater/breaker';
import { describe, expect, it } from 'vitest';
import { FakeTime, flush } from './support/fake-time.js';

function setup(options: Partial<BulkheadOptions> = {}) {
  const time = new FakeTime();
  const bulkhead = new Bulkhead({ maxConcurrent: 1, clock: time.clock, timers: time.timers, ...options });
  return { time, bulkhead };
}

/** A function whose completion the test controls. */
function gate<T = void>() {
  let open!: (v: T) => void;
  let fail!: (e: unknown) => void;
  const promise = new Promise<T>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { promise, open, fail };
}

describe('Bulkhead', () => {
  it('runs up to maxConcurrent at once and holds the slot until fn settles', async () => {
    const { bulkhead } = setup({ maxConcurrent: 2, maxQueue: 1 });
    const g = gate<string>();
    const a = bulkhead.execute(() => g.promise);
    const b = bulkhead.execute(() => g.promise);
    expect(bulkhead.inFlight).toBe(2);
    const c = bulkhead.execute(async () => 'c');
    await flush();
    expect([bulkhead.inFlight, bulkhead.queued]).toEqual([2, 1]);
    g.open('done');
    expect(await Promise.all([a, b, c])).toEqual(['done', 'done', 'c']);
    expect([bulkhead.inFlight, bulkhead.queued]).toEqual([0, 0]);
  });

  it('rejects with BulkheadFullError (BREAKWATER_BULKHEAD_FULL) when slots and queue are full', async () => {
    const { bulkhead } = setup({ maxQueue: 1 });
    const g = gate();
    void bulkhead.execute(() => g.promise);
    const queued = bulkhead.execute(async () => 1);
    const err = await bulkhead.execute(async () => 2).catch((e: unknown) => e);
    expect(isBulkheadFullError(err)).toBe(true);
    expect(err).toBeInstanceOf(BulkheadFullError);
    expect([(err as BulkheadFullError).code, (err as BulkheadFullError).reason]).toEqual([
      'BREAKWATER_BULKHEAD_FULL',
      'full',
    ]);
    g.open();
    expect(await queued).toBe(1);
    expect(bulkhead.stats.rejected).toBe(1);
  });

  it('serves waiters first-in first-out; tryAcquire does not overtake them', async () => {
    const { bulkhead } = setup({ maxQueue: 3 });
    const first = bulkhead.tryAcquire()!;
    const order: number[] = [];
    const waiters = [1, 2, 3].map((n) =>
      bulkhead.acquire().then((p) => {
        order.push(n);
        return p;
      }),
    );
    first.success(1);
    expect(bulkhead.tryAcquire()).toBeUndefined(); // waiter 1 holds the slot now
    for (const w of waiters) (await w).failure(1);
    expect(order).toEqual([1, 2, 3]);
  });

  it('a second settle of a permit frees nothing more', async () => {
    const { bulkhead } = setup({ maxConcurrent: 2 });
    const a = bulkhead.tryAcquire()!;
    bulkhead.tryAcquire()!;
    a.success(1);
    a.success(1);
    a.ignore();
    expect(bulkhead.inFlight).toBe(1);
    expect(bulkhead.tryAcquire()).toBeDefined();
    expect(bulkhead.tryAcquire()).toBeUndefined();
  });

  it('removes an aborted waiter at once and rejects it with the signal reason', async () => {
    const { bulkhead } = setup({ maxQueue: 2 });
    const held = bulkhead.tryAcquire()!;
    const controller = new AbortController();
    const aborted = bulkhead.acquire(controller.signal);
    const next = bulkhead.acquire();
    expect(bulkhead.queued).toBe(2);
    controller.abort('bye');
    expect(bulkhead.queued).toBe(1); // synchronously, not on the next release
    await expect(aborted).rejects.toBe('bye');
    held.ignore();
    await expect(next).resolves.toBeDefined();
    expect(bulkhead.stats.aborted).toBe(1);
  });

  it('rejects a waiter after queueTimeoutMs with reason queue-timeout, using one timer only while someone waits', async () => {
    const { bulkhead, time } = setup({ maxQueue: 2, queueTimeoutMs: 100 });
    const held = bulkhead.tryAcquire()!;
    expect(time.pending.size).toBe(0);
    const w1 = bulkhead.acquire().catch((e: unknown) => e);
    time.advance(50);
    const w2 = bulkhead.acquire().catch((e: unknown) => e);
    expect(time.pending.size).toBe(1);
    time.advance(50);
    const e1 = await w1;
    expect(isBulkheadFullError(e1) && e1.reason === 'queue-timeout').toBe(true);
    expect([bulkhead.queued, time.pending.size]).toEqual([1, 1]);
    held.success(1);
    expect(await w2).not.toBeInstanceOf(Error);
    expect(time.pending.size).toBe(0);
    expect(bulkhead.stats.timedOut).toBe(1);
  });

  it('rejects promptly on abort during fn but keeps the slot until fn settles', async () => {
    const { bulkhead } = setup();
    const controller = new AbortController();
    const g = gate();
    const pending = bulkhead.execute(() => g.promise, controller.signal);
    controller.abort('stop');
    await expect(pending).rejects.toBe('stop');
    expect(bulkhead.inFlight).toBe(1);
    g.open();
    await flush();
    expect(bulkhead.inFlight).toBe(0);
  });

  it('rejects an already-aborted call without taking a slot', async () => {
    const { bulkhead } = setup();
    await expect(bulkhead.execute(() => 1, AbortSignal.abort('no'))).rejects.toBe('no');
    await expect(bulkhead.acquire(AbortSignal.abort('no'))).rejects.toBe('no');
    expect(bulkhead.stats.admitted).toBe(0);
  });

  it('runs functions that return plain values or foreign thenables, releasing the slot', async () => {
    const { bulkhead } = setup();
    expect(await bulkhead.execute(() => 3)).toBe(3);
    // biome-ignore lint/suspicious/noThenProperty: a foreign thenable is exactly what this test feeds in
    const thenable = { then: (ok: (v: number) => void) => ok(4) };
    expect(await bulkhead.execute(() => thenable as unknown as Promise<number>)).toBe(4);
    expect(bulkhead.inFlight).toBe(0);
  });

  it('releases the slot when fn throws synchronously', async () => {
    const { bulkhead } = setup();
    const boom = new Error('boom');
    await expect(
      bulkhead.execute(() => {
        throw boom;
      }, new AbortController().signal),
    ).rejects.toBe(boom);
    await expect(
      bulkhead.execute(() => {
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(bulkhead.inFlight).toBe(0);
  });

  it('close() rejects waiters with reason closed, clears its timer, and refuses new calls; asyncDispose closes', async () => {
    const { bulkhead, time } = setup({ maxQueue: 1, queueTimeoutMs: 1000 });
    const held = bulkhead.tryAcquire()!;
    const waiter = bulkhead.acquire().catch((e: unknown) => e);
    expect(time.pending.size).toBe(1);
    await bulkhead.close();
    const e = await waiter;
    expect(isBulkheadFullError(e) && e.reason === 'closed').toBe(true);
    expect(time.pending.size).toBe(0);
    expect(bulkhead.tryAcquire()).toBeUndefined();
    await expect(bulkhead.acquire()).rejects.toMatchObject({ reason: 'closed' });
    held.success(1); // a permit out before close may still settle
    expect(bulkhead.inFlight).toBe(0);
    const other = setup();
    await other.bulkhead[Symbol.asyncDispose]();
    expect(other.bulkhead.closed).toBe(true);
  });

  it('starts no real timer when nothing waits or the queue timeout is infinite', async () => {
    const before = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const bulkhead = new Bulkhead({ maxConcurrent: 1, maxQueue: 1 });
    const held = bulkhead.tryAcquire()!;
    const waiter = bulkhead.acquire();
    expect(process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length).toBe(before);
    held.ignore();
    (await waiter).ignore();
  });
});
