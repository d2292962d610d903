import { getEventListeners } from 'node:events';
import {
  type AttemptContext,
  constant,
  Deadline,
  DeadlineExceededError,
  exponential,
  isDeadlineExceededError,
  isRetriesExhaustedError,
  isRetryBudgetExhaustedError,
  RetriesExhaustedError,
  RetryBudget,
  type RetryBudgetExhaustedError,
  type RetryEvent,
  RetryPolicy,
  retry,
} from '@breakwater/retry';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FakeTime, flush } from './fake-time.js';

/** Records how a promise settled, without awaiting it. */
function track<T>(p: Promise<T>) {
  const state: { done: boolean; value?: T; error?: unknown; at?: number } = { done: false };
  p.then(
    (value) => Object.assign(state, { done: true, value }),
    (error: unknown) => Object.assign(state, { done: true, error }),
  );
  return state;
}

/** An fn that fails `failures` times with `error`, then returns 'ok'; records attempts. */
function flaky(failures: number, error: unknown = new Error('boom'), time?: FakeTime) {
  const calls: { attempt: number; signal: AbortSignal; at: number | undefined }[] = [];
  const fn = (ctx: AttemptContext) => {
    calls.push({ attempt: ctx.attempt, signal: ctx.signal, at: time?.now() });
    if (calls.length <= failures) return Promise.reject(error);
    return Promise.resolve('ok');
  };
  return { fn, calls };
}

describe('RetryPolicy: success and retries', () => {
  it('returns the first result without timers, passing attempt 1 and a live signal', async () => {
    const time = new FakeTime();
    const budget = new RetryBudget({ clock: time, minRetriesPerSecond: 0, percentCanRetry: 1 });
    const policy = new RetryPolicy({ timers: time, clock: time, budget });
    const { fn, calls } = flaky(0);
    await expect(policy.execute(fn)).resolves.toBe('ok');
    expect(calls).toHaveLength(1);
    expect(calls[0]!.attempt).toBe(1);
    expect(calls[0]!.signal.aborted).toBe(false);
    expect(time.pending()).toBe(0);
    expect(budget.balance()).toBe(1); // the call deposited
  });

  it('the shared signal of signal-less calls tolerates many listeners without a leak warning', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    const policy = new RetryPolicy({ budget: false });
    const listeners: (() => void)[] = [];
    let shared: AbortSignal | undefined;
    await Promise.all(
      Array.from({ length: 25 }, () =>
        policy.execute(({ signal }) => {
          shared = signal; // what fetch does with the signal it is given
          const l = () => {};
          listeners.push(l);
          signal.addEventListener('abort', l);
        }),
      ),
    );
    await flush();
    for (const l of listeners) shared!.removeEventListener('abort', l);
    process.off('warning', onWarning);
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
  });

  it('accepts synchronous functions, values and throws', async () => {
    const policy = new RetryPolicy({ backoff: constant(0), budget: false });
    await expect(policy.execute(() => 5)).resolves.toBe(5);
    let n = 0;
    await expect(
      policy.execute(() => {
        if (++n < 3) throw new Error('sync');
        return n;
      }),
    ).resolves.toBe(3);
  });

  it('accepts non-native thenables on the fast path', async () => {
    let n = 0;
    const thenable = (fail: boolean) =>
      ({
        // biome-ignore lint/suspicious/noThenProperty: a deliberately minimal thenable
        then(ok: (v: string) => void, ko: (e: unknown) => void) {
          if (fail) ko(new Error('thenable failed'));
          else ok('thenable ok');
        },
      }) as unknown as PromiseLike<string>;
    const policy = new RetryPolicy({ backoff: constant(0), budget: false });
    await expect(policy.execute(() => thenable(++n === 1))).resolves.toBe('thenable ok');
    expect(n).toBe(2);
  });

  it('classifies the first result on the fast path and honours its pushback', async () => {
    const time = new FakeTime();
    const starts: number[] = [];
    const policy = new RetryPolicy({
      timers: time,
      clock: time,
      backoff: constant(1),
      shouldRetry: (o: { ok: boolean; value?: number }) => (o.ok && o.value === 429 ? 700 : false),
    });
    const r = track(
      policy.execute(async () => {
        starts.push(time.now());
        return starts.length === 1 ? 429 : 200;
      }),
    );
    await time.runAll();
    expect(r.value).toBe(200);
    expect(starts).toEqual([0, 700]);
  });

  it('retries errors after the backoff delays', async () => {
    const time = new FakeTime();
    const policy = new RetryPolicy({ timers: time, clock: time, backoff: constant(100), maxAttempts: 5 });
    const { fn, calls } = flaky(2, new Error('x'), time);
    const r = track(policy.execute(fn));
    await time.advance(99);
    expect(calls.map((c) => c.at)).toEqual([0, 100].slice(0, 1));
    await time.advance(1000);
    expect(r.value).toBe('ok');
    expect(calls.map((c) => [c.attempt, c.at])).toEqual([
      [1, 0],
      [2, 100],
      [3, 200],
    ]);
    expect(time.pending()).toBe(0);
  });

  it('gives up after maxAttempts with RetriesExhaustedError carrying attempts and the last error', async () => {
    const time = new FakeTime();
    const last = new Error('last');
    let n = 0;
    const policy = new RetryPolicy({ timers: time, clock: time, backoff: constant(10), maxAttempts: 3 });
    const r = track(policy.execute(() => Promise.reject(++n === 3 ? last : new Error('early'))));
    await time.runAll();
    expect(r.error).toBeInstanceOf(RetriesExhaustedError);
    const e = r.error as RetriesExhaustedError;
    expect(e.code).toBe('BREAKWATER_RETRIES_EXHAUSTED');
    expect(e.attempts).toBe(3);
    expect(e.cause).toBe(last);
    expect(e.outcome).toEqual({ ok: false, error: last });
    expect(isRetriesExhaustedError(e)).toBe(true);
  });

  it('rethrows a non-retryable error as is, after one attempt', async () => {
    const err = new Error('fatal');
    const { fn, calls } = flaky(5, err);
    const policy = new RetryPolicy({ shouldRetry: () => false, backoff: constant(0) });
    await expect(policy.execute(fn)).rejects.toBe(err);
    expect(calls).toHaveLength(1);
  });

  it('passes discriminated outcomes and attempt numbers to shouldRetry and can retry results', async () => {
    const time = new FakeTime();
    const seen: unknown[] = [];
    const statuses = [503, 503, 200];
    const policy = new RetryPolicy({
      timers: time,
      clock: time,
      backoff: constant(5),
      shouldRetry: (outcome: { ok: boolean; value?: { status: number } }, attempt: number) => {
        seen.push([outcome.ok, outcome.ok ? outcome.value?.status : 'err', attempt]);
        return outcome.ok && outcome.value?.status === 503;
      },
    });
    const r = track(policy.execute(() => ({ status: statuses.shift()! })));
    await time.runAll();
    expect(r.value).toEqual({ status: 200 });
    expect(seen).toEqual([
      [true, 503, 1],
      [true, 503, 2],
      [true, 200, 3],
    ]);
  });

  it('a retryable result that exhausts the attempts is returned as is by default', async () => {
    let calls = 0;
    const policy = new RetryPolicy({
      backoff: constant(0),
      maxAttempts: 3,
      shouldRetry: () => true,
      budget: false,
    });
    await expect(policy.execute(() => `bad ${++calls}`)).resolves.toBe('bad 3');
  });

  it('a retryable result refused by the budget is returned as is by default', async () => {
    const budget = new RetryBudget({ minRetriesPerSecond: 0, percentCanRetry: 0 });
    const policy = new RetryPolicy({ backoff: constant(0), maxAttempts: 3, shouldRetry: () => true, budget });
    await expect(policy.execute(() => 'unavailable')).resolves.toBe('unavailable');
    const throwing = new RetryPolicy({
      backoff: constant(0),
      shouldRetry: () => true,
      budget,
      exhaustedResult: 'throw',
    });
    const e = await throwing.execute(() => 'unavailable').catch((x: unknown) => x);
    expect(isRetryBudgetExhaustedError(e)).toBe(true);
  });

  it('rejects an unknown exhaustedResult', () => {
    expect(() => new RetryPolicy({ exhaustedResult: 'maybe' as 'throw' })).toThrow(/exhaustedResult/);
  });

  it("with exhaustedResult: 'throw', a retryable result that exhausts the attempts becomes the cause", async () => {
    const policy = new RetryPolicy({
      backoff: constant(0),
      maxAttempts: 2,
      shouldRetry: () => true,
      budget: false,
      exhaustedResult: 'throw',
    });
    const e = await policy.execute(() => 'still bad').catch((x: unknown) => x);
    expect(isRetriesExhaustedError(e)).toBe(true);
    expect((e as RetriesExhaustedError).cause).toBe('still bad');
    expect((e as RetriesExhaustedError).outcome).toEqual({ ok: true, value: 'still bad' });
  });

  it('uses server pushback (a number decision) instead of the backoff, capped by maxPushback', async () => {
    const time = new FakeTime();
    const pushbacks = [250, 1e9];
    const policy = new RetryPolicy({
      timers: time,
      clock: time,
      backoff: constant(1),
      maxPushback: 1000,
      maxAttempts: 3,
      shouldRetry: () => pushbacks.shift() ?? false,
    });
    const { fn, calls } = flaky(2, new Error('busy'), time);
    const r = track(policy.execute(fn));
    await time.runAll();
    expect(r.value).toBe('ok');
    expect(calls.map((c) => c.at)).toEqual([0, 250, 1250]);
  });

  it('reports each retry to onRetry before sleeping', async () => {
    const time = new FakeTime();
    const events: RetryEvent[] = [];
    const policy = new RetryPolicy({
      timers: time,
      clock: time,
      backoff: exponential({ initial: 10, jitter: 'none' }),
      onRetry: (e) => events.push(e),
    });
    const err = new Error('e');
    const r = track(policy.execute(flaky(2, err).fn));
    await time.runAll();
    expect(r.value).toBe('ok');
    expect(events).toEqual([
      { attempt: 1, delay: 10, outcome: { ok: false, error: err } },
      { attempt: 2, delay: 20, outcome: { ok: false, error: err } },
    ]);
  });
});

describe('RetryPolicy: budget', () => {
  it('gives up with RetryBudgetExhaustedError when the budget refuses a retry', async () => {
    const time = new FakeTime();
    const budget = new RetryBudget({ clock: time, minRetriesPerSecond: 0, percentCanRetry: 0.5 });
    const policy = new RetryPolicy({
      timers: time,
      clock: time,
      budget,
      backoff: constant(1),
      maxAttempts: 10,
    });
    const err = new Error('down');
    // two calls deposit 2 → one retry allowed in total
    const a = track(policy.execute(() => Promise.reject(err)));
    const b = track(policy.execute(() => Promise.reject(err)));
    await time.runAll();
    const errors = [a.error, b.error] as RetryBudgetExhaustedError[];
    expect(errors.every(isRetryBudgetExhaustedError)).toBe(true);
    expect(errors.map((e) => e.code)).toEqual([
      'BREAKWATER_RETRY_BUDGET_EXHAUSTED',
      'BREAKWATER_RETRY_BUDGET_EXHAUSTED',
    ]);
    expect(errors.map((e) => e.attempts).sort()).toEqual([1, 2]);
    expect(errors[0]!.cause).toBe(err);
  });

  it('one policy shares its default budget across calls; retry() has none', async () => {
    const policy = new RetryPolicy();
    expect(policy.budget).toBeInstanceOf(RetryBudget);
    expect(new RetryPolicy({ budget: false }).budget).toBeUndefined();
    let n = 0;
    await expect(
      retry(() => (++n < 3 ? Promise.reject(new Error('x')) : n), { backoff: constant(0) }),
    ).resolves.toBe(3);
  });
});

describe('RetryPolicy: cancellation', () => {
  it('an abort during the sleep rejects at once with the reason and leaves no timer or listener', async () => {
    const time = new FakeTime();
    const policy = new RetryPolicy({ timers: time, clock: time, backoff: constant(10_000) });
    const ac = new AbortController();
    const r = track(policy.execute(flaky(5).fn, ac.signal));
    await flush();
    expect(time.pending()).toBe(1);
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(1);
    const reason = new Error('caller gave up');
    ac.abort(reason);
    await flush();
    expect(r.error).toBe(reason);
    expect(time.pending()).toBe(0);
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
  });

  it('an abort during an attempt that ignores its signal still rejects promptly', async () => {
    const ac = new AbortController();
    let attemptSignal: AbortSignal | undefined;
    const policy = new RetryPolicy({ budget: false });
    const r = track(
      policy.execute(({ signal }) => {
        attemptSignal = signal;
        return new Promise(() => {}); // never settles, ignores the signal
      }, ac.signal),
    );
    await flush();
    ac.abort('stop');
    await flush();
    expect(r.error).toBe('stop');
    expect(attemptSignal!.aborted).toBe(true);
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
  });

  it('an already aborted signal rejects without calling fn', async () => {
    const ac = new AbortController();
    ac.abort(new Error('pre'));
    const { fn, calls } = flaky(0);
    await expect(new RetryPolicy().execute(fn, ac.signal)).rejects.toThrow('pre');
    expect(calls).toHaveLength(0);
  });

  it('does not retry an error thrown because the caller aborted', async () => {
    const ac = new AbortController();
    const { fn, calls } = flaky(10);
    const policy = new RetryPolicy({ backoff: constant(0), budget: false });
    const wrapped = (ctx: AttemptContext) => {
      if (calls.length === 1) ac.abort('enough');
      return fn(ctx);
    };
    await expect(policy.execute(wrapped, ac.signal)).rejects.toBe('enough');
    expect(calls).toHaveLength(2);
  });
});

describe('RetryPolicy: deadlines', () => {
  it('never starts an attempt or sleeps past the deadline, and gives up with DeadlineExceededError (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 0, max: 400 }),
        fc.integer({ min: 1, max: 2000 }),
        fc.integer({ min: 1, max: 20 }),
        fc.boolean(),
        async (durations, delay, budgetMs, maxAttempts, exp) => {
          const time = new FakeTime(1000);
          const deadline = Deadline.after(budgetMs, time);
          const starts: number[] = [];
          const wakeups: number[] = []; // when each timer the policy sets would fire
          const policy = new RetryPolicy({
            timers: {
              setTimeout: (cb, ms) => {
                wakeups.push(time.now() + ms);
                return time.setTimeout(cb, ms);
              },
              clearTimeout: time.clearTimeout,
            },
            clock: time,
            budget: false,
            maxAttempts,
            backoff: exp ? exponential({ initial: Math.max(1, delay), jitter: 'none' }) : constant(delay),
          });
          const fn = ({ signal }: AttemptContext) =>
            new Promise<never>((_, reject) => {
              starts.push(time.now());
              const h = time.setTimeout(
                () => reject(new Error('fail')),
                durations[(starts.length - 1) % durations.length]!,
              );
              signal.addEventListener('abort', () => {
                time.clearTimeout(h);
                reject(signal.reason);
              });
            });
          const r = track(policy.execute(fn, undefined, deadline));
          let settledAt: number | undefined;
          while (!r.done) {
            const next = time.nextAt();
            if (next === undefined) break;
            await time.advance(next - time.now());
            if (r.done && settledAt === undefined) settledAt = time.now();
          }
          await flush();
          settledAt ??= time.now();
          expect(r.done).toBe(true);
          for (const s of starts) expect(s).toBeLessThan(deadline.at);
          for (const w of wakeups) expect(w).toBeLessThanOrEqual(deadline.at);
          expect(settledAt).toBeLessThanOrEqual(deadline.at);
          expect(isDeadlineExceededError(r.error) || isRetriesExhaustedError(r.error)).toBe(true);
          if (isDeadlineExceededError(r.error)) expect(r.error.attempts).toBe(starts.length);
          expect(time.pending()).toBe(0);
        },
      ),
      { seed: 20261126, numRuns: 1000 },
    );
  });

  it('aborts the running attempt when the deadline passes', async () => {
    const time = new FakeTime();
    const deadline = Deadline.after(500, time);
    let signal: AbortSignal | undefined;
    const policy = new RetryPolicy({ timers: time, clock: time });
    const r = track(
      policy.execute(
        (ctx) => {
          signal = ctx.signal;
          return new Promise(() => {});
        },
        undefined,
        deadline,
      ),
    );
    await time.advance(499);
    expect(r.done).toBe(false);
    await time.advance(1);
    expect(r.error).toBeInstanceOf(DeadlineExceededError);
    expect((r.error as DeadlineExceededError).code).toBe('BREAKWATER_DEADLINE_EXCEEDED');
    expect((r.error as DeadlineExceededError).attempts).toBe(1);
    expect(signal!.aborted).toBe(true);
    expect(isDeadlineExceededError(signal!.reason)).toBe(true);
    expect(time.pending()).toBe(0);
  });

  it('gives up without sleeping when the next delay would reach the deadline', async () => {
    const time = new FakeTime();
    const policy = new RetryPolicy({ timers: time, clock: time, backoff: constant(300) });
    const err = new Error('e');
    const r = track(policy.execute(() => Promise.reject(err), undefined, Deadline.after(300, time)));
    await flush();
    expect(r.error).toBeInstanceOf(DeadlineExceededError);
    expect((r.error as DeadlineExceededError).cause).toBe(err);
    expect(time.now()).toBe(0);
    expect(time.pending()).toBe(0);
  });

  it('an expired deadline rejects without calling fn; a caller abort still wins with a deadline', async () => {
    const time = new FakeTime();
    const { fn, calls } = flaky(0);
    const policy = new RetryPolicy({ timers: time, clock: time });
    await expect(policy.execute(fn, undefined, Deadline.after(0, time))).rejects.toBeInstanceOf(
      DeadlineExceededError,
    );
    expect(calls).toHaveLength(0);
    const ac = new AbortController();
    const r = track(policy.execute(() => new Promise(() => {}), ac.signal, Deadline.after(1000, time)));
    await flush();
    ac.abort('mine');
    await flush();
    expect(r.error).toBe('mine');
    expect(time.pending()).toBe(0);
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
  });
});

describe('RetryPolicy: options', () => {
  it('validates options, naming them', () => {
    expect(() => new RetryPolicy({ maxAttempts: 0 })).toThrow(/maxAttempts/);
    expect(() => new RetryPolicy({ maxAttempts: 1.5 })).toThrow(/maxAttempts/);
    expect(() => new RetryPolicy({ maxPushback: -1 })).toThrow(/maxPushback/);
    expect(() => new RetryPolicy({ backoff: {} as never })).toThrow(/backoff/);
    expect(() => new RetryPolicy({ budget: {} as never })).toThrow(/budget/);
    expect(() => new RetryPolicy({ shouldRetry: 1 as never })).toThrow(/shouldRetry/);
    expect(() => new RetryPolicy({ timers: {} as never })).toThrow(/timers/);
    expect(new RetryPolicy({ maxAttempts: Number.POSITIVE_INFINITY }).maxAttempts).toBe(
      Number.POSITIVE_INFINITY,
    );
  });

  it('does not mutate the options object', () => {
    const options = Object.freeze({ maxAttempts: 2 });
    expect(() => new RetryPolicy(options)).not.toThrow();
  });
});
