import { getEventListeners } from 'node:events';
import {
  type AttemptContext,
  Deadline,
  DeadlineExceededError,
  HedgePolicy,
  hedge,
  isHedgeLostError,
  RetriesExhaustedError,
  RetryBudget,
  RetryBudgetExhaustedError,
} from '@breakwater/retry';
import { describe, expect, it } from 'vitest';
import { FakeTime, flush } from './fake-time.js';

function track<T>(p: Promise<T>) {
  const state: { done: boolean; value?: T; error?: unknown } = { done: false };
  p.then(
    (value) => Object.assign(state, { done: true, value }),
    (error: unknown) => Object.assign(state, { done: true, error }),
  );
  return state;
}

interface Attempt {
  attempt: number;
  startedAt: number;
  signal: AbortSignal;
  resolve: (v: string) => void;
  reject: (e: unknown) => void;
}

/** An fn whose attempts the test settles by hand. */
function manual(time: FakeTime) {
  const attempts: Attempt[] = [];
  const fn = (ctx: AttemptContext) =>
    new Promise<string>((resolve, reject) => {
      attempts.push({ attempt: ctx.attempt, startedAt: time.now(), signal: ctx.signal, resolve, reject });
    });
  return { fn, attempts };
}

describe('HedgePolicy', () => {
  it('starts the backup exactly at the delay; the first success wins and the other is aborted', async () => {
    const time = new FakeTime(1000);
    const policy = new HedgePolicy({ delay: 100, maxHedged: 1, timers: time, clock: time });
    const { fn, attempts } = manual(time);
    const r = track(policy.execute(fn));
    await time.advance(99);
    expect(attempts).toHaveLength(1);
    await time.advance(1);
    expect(attempts.map((a) => [a.attempt, a.startedAt])).toEqual([
      [1, 1000],
      [2, 1100],
    ]);
    attempts[1]!.resolve('backup');
    await flush();
    expect(r.value).toBe('backup');
    expect(attempts[0]!.signal.aborted).toBe(true);
    expect(isHedgeLostError(attempts[0]!.signal.reason)).toBe(true);
    expect(attempts[1]!.signal.aborted).toBe(false);
    expect(time.pending()).toBe(0);
    // the loser's late answer changes nothing
    attempts[0]!.resolve('late');
    await flush();
    expect(r.value).toBe('backup');
  });

  it('sends no hedge when the first attempt answers before the delay', async () => {
    const time = new FakeTime();
    const policy = new HedgePolicy({ delay: 100, timers: time, clock: time });
    const { fn, attempts } = manual(time);
    const r = track(policy.execute(fn));
    await time.advance(50);
    attempts[0]!.resolve('first');
    await time.advance(500);
    expect(r.value).toBe('first');
    expect(attempts).toHaveLength(1);
    expect(time.pending()).toBe(0);
  });

  it('hedges up to maxHedged, one delay apart', async () => {
    const time = new FakeTime();
    const policy = new HedgePolicy({ delay: 40, maxHedged: 3, timers: time, clock: time, budget: false });
    const { fn, attempts } = manual(time);
    const r = track(policy.execute(fn));
    await time.advance(1000);
    expect(attempts.map((a) => a.startedAt)).toEqual([0, 40, 80, 120]);
    attempts[2]!.resolve('third');
    await flush();
    expect(r.value).toBe('third');
    expect(attempts.filter((a) => a.signal.aborted).map((a) => a.attempt)).toEqual([1, 2, 4]);
  });

  it('a failed attempt starts the next hedge at once; all failing gives RetriesExhaustedError', async () => {
    const time = new FakeTime();
    const policy = new HedgePolicy({ delay: 100, maxHedged: 1, timers: time, clock: time, budget: false });
    const { fn, attempts } = manual(time);
    const r = track(policy.execute(fn));
    await time.advance(10);
    attempts[0]!.reject(new Error('first failed'));
    await flush();
    expect(attempts.map((a) => a.startedAt)).toEqual([0, 10]);
    const last = new Error('second failed');
    attempts[1]!.reject(last);
    await flush();
    expect(r.error).toBeInstanceOf(RetriesExhaustedError);
    expect((r.error as RetriesExhaustedError).attempts).toBe(2);
    expect((r.error as RetriesExhaustedError).cause).toBe(last);
    expect(time.pending()).toBe(0);
  });

  it('a failure with pushback delays the next hedge by it; a synchronous throw counts as a failure', async () => {
    const time = new FakeTime();
    const policy = new HedgePolicy({
      delay: 1000,
      maxHedged: 2,
      timers: time,
      clock: time,
      budget: false,
      shouldRetry: (o) => (o.ok ? false : 300),
    });
    const starts: number[] = [];
    const r = track(
      policy.execute(({ attempt }) => {
        starts.push(time.now());
        if (attempt < 3) throw new Error(`sync ${attempt}`);
        return 'third';
      }),
    );
    await time.runAll();
    expect(r.value).toBe('third');
    expect(starts).toEqual([0, 300, 600]);
  });

  it('a non-retryable failure settles the call and aborts the others', async () => {
    const time = new FakeTime();
    const fatal = new Error('fatal');
    const seen: number[] = [];
    const policy = new HedgePolicy({
      delay: 10,
      timers: time,
      clock: time,
      budget: false,
      shouldRetry: (o, attempt) => {
        seen.push(attempt);
        return !(!o.ok && o.error === fatal);
      },
    });
    const { fn, attempts } = manual(time);
    const r = track(policy.execute(fn));
    await time.advance(10);
    attempts[1]!.reject(fatal);
    await flush();
    expect(r.error).toBe(fatal);
    expect(seen).toEqual([2]); // the attempt that produced the outcome
    expect(attempts[0]!.signal.aborted).toBe(true);
  });

  it('hedges draw from the retry budget: no token, no hedge', async () => {
    const time = new FakeTime();
    const budget = new RetryBudget({ clock: time, minRetriesPerSecond: 0, percentCanRetry: 1 });
    const policy = new HedgePolicy({ delay: 10, maxHedged: 2, timers: time, clock: time, budget });
    const { fn, attempts } = manual(time);
    const r = track(policy.execute(fn)); // deposits 1 → exactly one hedge
    await time.advance(100);
    expect(attempts).toHaveLength(2);
    expect(budget.balance()).toBe(0);
    attempts[0]!.reject(new Error('a'));
    attempts[1]!.reject(new Error('b'));
    await flush();
    expect(r.error).toBeInstanceOf(RetryBudgetExhaustedError);
    expect(time.pending()).toBe(0);
  });

  it('adaptive delay follows the tracked latency percentile', async () => {
    const time = new FakeTime();
    const policy = new HedgePolicy({
      delay: { percentile: 0.9, initial: 500, minSamples: 10, window: 50 },
      timers: time,
      clock: time,
      budget: false,
    });
    expect(policy.currentDelay()).toBe(500);
    for (let i = 1; i <= 10; i++) {
      const { fn, attempts } = manual(time);
      const r = track(policy.execute(fn));
      await time.advance(i * 10);
      attempts[0]!.resolve('ok');
      await flush();
      expect(r.value).toBe('ok');
    }
    // latencies 10..100 ms; nearest-rank p90 of 10 samples = 90
    expect(policy.currentDelay()).toBe(90);
    const { fn, attempts } = manual(time);
    track(policy.execute(fn));
    await time.advance(89);
    expect(attempts).toHaveLength(1);
    await time.advance(1);
    expect(attempts).toHaveLength(2);
  });

  it('a caller abort aborts every attempt with its reason and leaves nothing behind', async () => {
    const time = new FakeTime();
    const policy = new HedgePolicy({ delay: 10, maxHedged: 2, timers: time, clock: time, budget: false });
    const { fn, attempts } = manual(time);
    const ac = new AbortController();
    const r = track(policy.execute(fn, ac.signal));
    await time.advance(15);
    ac.abort('bye');
    await flush();
    expect(r.error).toBe('bye');
    expect(attempts.map((a) => a.signal.reason)).toEqual(['bye', 'bye']);
    expect(time.pending()).toBe(0);
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
  });

  it('never sends a hedge at or past the deadline and fails with DeadlineExceededError at it', async () => {
    const time = new FakeTime();
    const policy = new HedgePolicy({ delay: 100, maxHedged: 3, timers: time, clock: time, budget: false });
    const { fn, attempts } = manual(time);
    const r = track(policy.execute(fn, undefined, Deadline.after(150, time)));
    await time.advance(1000);
    expect(attempts.map((a) => a.startedAt)).toEqual([0, 100]);
    expect(r.error).toBeInstanceOf(DeadlineExceededError);
    expect(attempts.every((a) => a.signal.aborted)).toBe(true);
    expect(time.pending()).toBe(0);
  });

  it('hedge() runs a one-off hedged call; options are validated', async () => {
    await expect(hedge(() => 'x', { delay: 5 })).resolves.toBe('x');
    expect(() => new HedgePolicy({ delay: -1 })).toThrow(/delay/);
    expect(() => new HedgePolicy({ maxHedged: -1 })).toThrow(/maxHedged/);
    expect(() => new HedgePolicy({ delay: { percentile: 2 } })).toThrow(/percentile/);
    expect(() => new HedgePolicy({ delay: { min: 10, max: 5 } })).toThrow(/delay.max/);
  });
});
