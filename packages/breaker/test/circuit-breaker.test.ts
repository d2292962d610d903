import {
  BrokenCircuitError,
  CircuitBreaker,
  type CircuitBreakerOptions,
  type CircuitState,
  ConsecutiveFailures,
  CountWindow,
  isBrokenCircuitError,
  type StrategySnapshot,
  type TripStrategy,
} from '@breakwater/breaker';
import { describe, expect, it } from 'vitest';
import { FakeTime } from './support/fake-time.js';

function setup(options: CircuitBreakerOptions = {}) {
  const time = new FakeTime();
  const breaker = new CircuitBreaker({
    strategy: new ConsecutiveFailures({ threshold: 2 }),
    openDurationMs: 100,
    clock: time.clock,
    ...options,
  });
  const trip = (): void => {
    for (let i = 0; i < 2; i++) breaker.tryAcquire()!.failure(1);
  };
  return { time, breaker, trip };
}

function timerCount(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
}

describe('CircuitBreaker permits', () => {
  it('hands every closed-state caller its own permit, each settling once', () => {
    const { breaker } = setup();
    const a = breaker.tryAcquire()!;
    const b = breaker.tryAcquire()!;
    expect(a).not.toBe(b);
    expect(breaker.stats.inFlight).toBe(2);
    a.success(1);
    a.success(1);
    expect(breaker.stats.inFlight).toBe(1);
    b.ignore();
    expect(breaker.stats.inFlight).toBe(0);
  });

  it('makes a second settle of a lone permit a no-op', () => {
    const { breaker } = setup();
    const p = breaker.tryAcquire()!;
    p.failure(1);
    p.failure(1); // would trip a threshold-2 breaker if counted
    p.success(1);
    p.ignore();
    expect(breaker.state.type).toBe('closed');
    expect(breaker.stats).toMatchObject({ admitted: 1, failures: 1, successes: 0, ignored: 0, inFlight: 0 });
  });

  it("a caller settling twice never uses up a concurrent caller's settle", () => {
    const { breaker } = setup({ strategy: new ConsecutiveFailures({ threshold: 10 }) });
    const permits = [breaker.tryAcquire()!, breaker.tryAcquire()!, breaker.tryAcquire()!];
    for (let i = 0; i < 10; i++) permits[0]!.failure(1);
    expect(breaker.stats).toMatchObject({ admitted: 3, failures: 1, inFlight: 2 });
    permits[1]!.success(1);
    permits[2]!.failure(1);
    expect(breaker.stats).toMatchObject({ admitted: 3, failures: 2, successes: 1, inFlight: 0 });
  });

  it('feeds late settles (permits from before a state change) to no strategy', () => {
    const { breaker, time } = setup({ halfOpenSuccesses: 1 });
    const early = breaker.tryAcquire()!;
    breaker.tryAcquire()!.failure(1);
    breaker.tryAcquire()!.failure(1);
    expect(breaker.state.type).toBe('open');
    time.now = 100;
    const probe = breaker.tryAcquire()!;
    early.failure(1); // from the closed period: must not reopen the half-open breaker
    expect(breaker.state.type).toBe('half-open');
    expect(breaker.stats.late).toBe(1);
    probe.success(1);
    expect(breaker.state.type).toBe('closed');
  });
});

describe('CircuitBreaker states', () => {
  it('opens at the threshold and refuses with the retry time; open→half-open is lazy and starts no timer', () => {
    const timers = timerCount();
    const { breaker, time, trip } = setup();
    trip();
    expect(breaker.state).toMatchObject({ type: 'open', since: 0, retryAt: 100, openings: 1 });
    time.now = 40;
    expect(breaker.tryAcquire()).toBeUndefined();
    const err = breaker.rejection();
    expect(err).toBeInstanceOf(BrokenCircuitError);
    expect([err.state, err.retryAt, err.retryAfterMs]).toEqual(['open', 100, 60]);
    time.now = 500;
    expect(breaker.state.type).toBe('open'); // reading the state changes nothing
    expect(timerCount()).toBe(timers);
    expect(breaker.tryAcquire()).toBeDefined();
    expect(breaker.state).toEqual({ type: 'half-open', since: 500 });
  });

  it('admits at most halfOpenMaxProbes probes and closes after halfOpenSuccesses successes', () => {
    const { breaker, time, trip } = setup({ halfOpenMaxProbes: 2, halfOpenSuccesses: 3 });
    trip();
    time.now = 100;
    const p1 = breaker.tryAcquire()!;
    const p2 = breaker.tryAcquire()!;
    expect(p1).not.toBe(p2);
    expect(breaker.tryAcquire()).toBeUndefined();
    expect(breaker.rejection().state).toBe('half-open');
    p1.success(1);
    p1.success(1); // no-op: one probe, one success
    const p3 = breaker.tryAcquire()!;
    p2.ignore(); // frees the slot, counts nothing
    expect(breaker.state.type).toBe('half-open');
    p3.success(1);
    expect(breaker.state.type).toBe('half-open');
    breaker.tryAcquire()!.success(1);
    expect(breaker.state.type).toBe('closed');
  });

  it('reopens on a probe failure, backing off exponentially up to the cap, with injected jitter', () => {
    const { breaker, time, trip } = setup({
      openBackoff: { multiplier: 2, maxMs: 350, jitter: 0.5 },
      random: () => 0.5,
    });
    trip();
    const durations: number[] = [];
    for (let k = 0; k < 4; k++) {
      const s = breaker.state as Extract<CircuitState, { type: 'open' }>;
      durations.push(s.retryAt - s.since);
      time.now = s.retryAt;
      breaker.tryAcquire()!.failure(1);
    }
    // min(350, 100·2^n) · (1 − 0.5·0.5)
    expect(durations).toEqual([75, 150, 262.5, 262.5]);
    const s = breaker.state as Extract<CircuitState, { type: 'open' }>;
    expect(s.openings).toBe(5);
    time.now = s.retryAt;
    breaker.tryAcquire()!.success(1);
    trip();
    const again = breaker.state as Extract<CircuitState, { type: 'open' }>;
    expect([again.openings, again.retryAt - again.since]).toEqual([1, 75]); // a close forgets the backoff
  });

  it('isolate() refuses everything until reset(); reset() empties the window', () => {
    const { breaker, time } = setup();
    breaker.tryAcquire()!.failure(1);
    breaker.isolate();
    breaker.isolate(); // idempotent
    time.now = 1e9;
    expect(breaker.tryAcquire()).toBeUndefined();
    const err = breaker.rejection();
    expect([err.state, err.retryAfterMs]).toEqual(['isolated', undefined]);
    breaker.reset();
    expect(breaker.state.type).toBe('closed');
    breaker.tryAcquire()!.failure(1);
    expect(breaker.state.type).toBe('closed'); // the failure before isolate() was forgotten
    expect(breaker.stats).toMatchObject({ isolated: 1, closed: 1, rejected: 1 });
  });

  it('counts transitions and refusals for metrics', () => {
    const { breaker, time, trip } = setup();
    trip();
    breaker.tryAcquire();
    time.now = 100;
    breaker.tryAcquire()!.failure(1);
    time.now = 1000;
    breaker.tryAcquire()!.success(1);
    expect(breaker.stats).toEqual({
      state: 'closed',
      admitted: 4,
      successes: 1,
      failures: 3,
      ignored: 0,
      rejected: 1,
      late: 0,
      opened: 2,
      halfOpened: 2,
      closed: 1,
      isolated: 0,
      inFlight: 0,
    });
  });
});

describe('CircuitBreaker events', () => {
  it('emits typed state changes, successes, failures and rejections; dispose() unsubscribes', () => {
    const { breaker, time, trip } = setup();
    const log: string[] = [];
    const subs = [
      breaker.onStateChange(({ from, to }) => log.push(`${from.type}->${to.type}`)),
      breaker.onSuccess(({ durationMs }) => log.push(`success ${durationMs}`)),
      breaker.onFailure(({ durationMs, error }) => log.push(`failure ${durationMs} ${String(error)}`)),
      breaker.onRejected(({ state, retryAfterMs }) => log.push(`rejected ${state} ${retryAfterMs}`)),
    ];
    breaker.tryAcquire()!.success(3);
    trip();
    time.now = 30;
    breaker.tryAcquire();
    breaker.isolate();
    breaker.tryAcquire();
    expect(log).toEqual([
      'success 3',
      'failure 1 undefined',
      'failure 1 undefined',
      'closed->open',
      'rejected open 70',
      'open->isolated',
      'rejected isolated undefined',
    ]);
    for (const s of subs) s.dispose();
    breaker.reset();
    breaker.tryAcquire()!.success(1);
    expect(log).toHaveLength(7);
  });

  it('supports `using` through Symbol.dispose', () => {
    const { breaker } = setup();
    let n = 0;
    {
      using _sub = breaker.onSuccess(() => n++);
      breaker.tryAcquire()!.success(1);
    }
    breaker.tryAcquire()!.success(1);
    expect(n).toBe(1);
  });
});

describe('CircuitBreaker.execute', () => {
  it('returns the result, passes a signal, and records the duration from the clock', async () => {
    const { breaker, time } = setup();
    const durations: number[] = [];
    breaker.onSuccess(({ durationMs }) => durations.push(durationMs));
    const result = await breaker.execute(async ({ signal }) => {
      expect(signal).toBeInstanceOf(AbortSignal);
      time.now += 25;
      return 'ok';
    });
    expect(result).toBe('ok');
    expect(durations).toEqual([25]);
  });

  it('counts thrown errors (sync or async) as failures and rethrows them', async () => {
    const { breaker } = setup();
    const errors: unknown[] = [];
    breaker.onFailure(({ error }) => errors.push(error));
    const boom = new Error('boom');
    await expect(
      breaker.execute(() => {
        throw boom;
      }),
    ).rejects.toBe(boom);
    await expect(breaker.execute(() => Promise.reject(boom))).rejects.toBe(boom);
    expect(errors).toEqual([boom, boom]);
    expect(breaker.state.type).toBe('open');
  });

  it('rejects with BrokenCircuitError (BREAKWATER_CIRCUIT_OPEN) when open, without calling fn', async () => {
    const { breaker, trip } = setup();
    trip();
    let called = false;
    const err = await breaker
      .execute(() => {
        called = true;
      })
      .catch((e: unknown) => e);
    expect(isBrokenCircuitError(err)).toBe(true);
    expect((err as BrokenCircuitError).code).toBe('BREAKWATER_CIRCUIT_OPEN');
    expect((err as BrokenCircuitError).retryAfterMs).toBe(100);
    expect(called).toBe(false);
  });

  it('lets errors that isErrorFailure rejects pass through uncounted', async () => {
    const notFound = Object.assign(new Error('404'), { status: 404 });
    const { breaker } = setup({ isErrorFailure: (e) => (e as { status?: number }).status !== 404 });
    for (let i = 0; i < 5; i++)
      await expect(breaker.execute(() => Promise.reject(notFound))).rejects.toBe(notFound);
    expect(breaker.state.type).toBe('closed');
    expect(breaker.stats).toMatchObject({ failures: 0, ignored: 5 });
  });

  it('counts results that isResultFailure flags (e.g. 503) as failures but still returns them', async () => {
    const { breaker } = setup({ isResultFailure: (r) => (r as { status: number }).status >= 500 });
    expect(await breaker.execute(() => ({ status: 404 }))).toEqual({ status: 404 });
    expect(await breaker.execute(() => ({ status: 503 }))).toEqual({ status: 503 });
    expect(await breaker.execute(() => ({ status: 503 }))).toEqual({ status: 503 });
    expect(breaker.state.type).toBe('open');
    expect(breaker.stats).toMatchObject({ successes: 1, failures: 2 });
  });

  it('rejects at once with the reason of an already-aborted signal, taking no permit', async () => {
    const { breaker } = setup();
    const reason = new Error('caller gave up');
    await expect(breaker.execute(() => 1, AbortSignal.abort(reason))).rejects.toBe(reason);
    expect(breaker.stats.admitted).toBe(0);
  });

  it('rejects promptly when the signal aborts mid-call, counts it as ignored, and detaches its listener', async () => {
    const { breaker } = setup();
    const controller = new AbortController();
    let seen: AbortSignal | undefined;
    const never = new Promise<never>(() => {});
    const pending = breaker.execute(({ signal }) => {
      seen = signal;
      return never;
    }, controller.signal);
    controller.abort('stop');
    await expect(pending).rejects.toBe('stop');
    expect(seen).toBe(controller.signal);
    expect(breaker.stats).toMatchObject({ ignored: 1, failures: 0, inFlight: 0 });
  });

  it('treats a rejection caused by the abort as ignored, not a failure', async () => {
    const { breaker } = setup({ strategy: new ConsecutiveFailures({ threshold: 1 }) });
    const controller = new AbortController();
    const pending = breaker.execute(
      ({ signal }) =>
        new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')))),
      controller.signal,
    );
    controller.abort();
    await expect(pending).rejects.toBeDefined();
    expect(breaker.state.type).toBe('closed');
  });
});

describe('CircuitBreaker.execute paths', () => {
  it('accepts a foreign thenable and records its outcome', async () => {
    const { breaker } = setup();
    // biome-ignore lint/suspicious/noThenProperty: a foreign thenable is exactly what this test feeds in
    const thenable = { then: (ok: (v: number) => void) => ok(7) };
    expect(await breaker.execute(() => thenable as unknown as Promise<number>)).toBe(7);
    expect(breaker.stats.successes).toBe(1);
  });

  it('runs half-open probes through execute and closes on success', async () => {
    const { breaker, time, trip } = setup();
    trip();
    time.now = 100;
    expect(await breaker.execute(async () => 'probe')).toBe('probe');
    expect(breaker.state.type).toBe('closed');
  });

  it('records a call that outlives its closed period as late', async () => {
    const { breaker } = setup();
    let finish!: (v: string) => void;
    const slow = breaker.execute(() => new Promise<string>((resolve) => (finish = resolve)));
    const t1 = breaker.tryAcquire()!;
    const t2 = breaker.tryAcquire()!;
    t1.failure(1);
    t2.failure(1);
    expect(breaker.state.type).toBe('open');
    finish('done');
    expect(await slow).toBe('done');
    expect(breaker.stats).toMatchObject({ late: 1, successes: 1, inFlight: 0 });
    expect(breaker.state.type).toBe('open');
  });

  it('a throwing classifier surfaces its error and releases the permit', async () => {
    const oops = new Error('classifier bug');
    const { breaker } = setup({
      isResultFailure: () => {
        throw oops;
      },
      isErrorFailure: () => {
        throw oops;
      },
    });
    await expect(breaker.execute(async () => 1)).rejects.toBe(oops);
    await expect(breaker.execute(() => Promise.reject(new Error('x')))).rejects.toBe(oops);
    expect(breaker.stats).toMatchObject({ ignored: 2, inFlight: 0 });
  });

  it('times calls for listeners even when the strategy ignores durations', async () => {
    const { breaker, time } = setup();
    const seen: number[] = [];
    breaker.onFailure(({ durationMs }) => seen.push(durationMs));
    await breaker
      .execute(async () => {
        time.now += 9;
        throw new Error('x');
      })
      .catch(() => {});
    expect(seen).toEqual([9]);
  });
});

describe('CircuitBreaker snapshots', () => {
  it('round-trips through JSON, with the open time relative to the clock', () => {
    const { breaker, time, trip } = setup();
    trip();
    time.now = 30;
    const snap = JSON.parse(JSON.stringify(breaker.exportSnapshot()));
    expect(snap).toEqual({
      version: 1,
      state: 'open',
      openings: 1,
      retryAfterMs: 70,
      strategy: { type: 'consecutive-failures', failures: 2 },
    });
    const other = setup();
    other.time.now = 5000;
    other.breaker.importSnapshot(snap);
    expect(other.breaker.state).toEqual({ type: 'open', since: 5000, retryAt: 5070, openings: 1 });
  });

  it('refuses a malformed snapshot or one from another strategy, changing nothing', () => {
    const { breaker } = setup();
    const count = new CircuitBreaker({ strategy: new CountWindow({ size: 4 }) });
    expect(() => breaker.importSnapshot(count.exportSnapshot())).toThrow(
      'strategy snapshot must be of type "consecutive-failures", got "count-window"',
    );
    const good = breaker.exportSnapshot();
    expect(() => breaker.importSnapshot({ ...good, version: 2 as 1 })).toThrow(TypeError);
    expect(() => breaker.importSnapshot({ ...good, state: 'ajar' as 'open' })).toThrow(
      'snapshot.state must be one of',
    );
    expect(() => breaker.importSnapshot({ ...good, state: 'open', retryAfterMs: -1 })).toThrow(RangeError);
    expect(() =>
      breaker.importSnapshot({ ...good, strategy: { type: 'consecutive-failures', failures: -1 } }),
    ).toThrow('snapshot.failures must be a non-negative integer, got -1');
    expect(breaker.state.type).toBe('closed');
  });
});

describe('custom strategies', () => {
  it('plugs in any TripStrategy', () => {
    // Opens when two slow calls in a row exceed 1 s.
    class TwoSlowInARow implements TripStrategy {
      readonly type = 'two-slow';
      slow = 0;
      record(_failed: boolean, durationMs: number): boolean {
        this.slow = durationMs > 1000 ? this.slow + 1 : 0;
        return this.slow >= 2;
      }
      reset(): void {
        this.slow = 0;
      }
      snapshot(): StrategySnapshot {
        return { type: this.type, slow: this.slow };
      }
      restore(s: StrategySnapshot): void {
        this.slow = s.slow as number;
      }
    }
    const { breaker } = setup({ strategy: new TwoSlowInARow() });
    breaker.tryAcquire()!.success(1500);
    breaker.tryAcquire()!.failure(10);
    breaker.tryAcquire()!.success(1500);
    expect(breaker.state.type).toBe('closed');
    breaker.tryAcquire()!.success(2000);
    expect(breaker.state.type).toBe('open');
  });
});
