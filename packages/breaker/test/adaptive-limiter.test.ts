import {
  AdaptiveLimiter,
  AimdLimit,
  Bulkhead,
  type ConcurrencyGuard,
  FixedLimit,
  isLimitExceededError,
  type LimitAlgorithm,
  LimitExceededError,
  type Permit,
} from '@breakwater/breaker';
import { describe, expect, it } from 'vitest';
import { flush } from './support/fake-time.js';

function gate<T = void>() {
  let open!: (v: T) => void;
  let fail!: (e: unknown) => void;
  const promise = new Promise<T>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { promise, open, fail };
}

class Recorder implements LimitAlgorithm {
  readonly type = 'recorder';
  readonly samples: [number, number, number, boolean][] = [];
  constructor(public limit: number) {}
  onSample(startTime: number, rtt: number, inflight: number, didDrop: boolean): void {
    this.samples.push([startTime, rtt, inflight, didDrop]);
  }
}

function setup(limit = 2, options: { isErrorDrop?: (e: unknown) => boolean } = {}) {
  const time = { now: 1000 };
  const algorithm = new Recorder(limit);
  const limiter = new AdaptiveLimiter({ limit: algorithm, clock: { now: () => time.now }, ...options });
  return { time, algorithm, limiter };
}

describe('AdaptiveLimiter', () => {
  it('defaults to Gradient2 (limit 20) and reads the limit from its algorithm', () => {
    const limiter = new AdaptiveLimiter();
    expect([limiter.algorithm, limiter.limit, limiter.inFlight, limiter.queued]).toEqual([
      'gradient2',
      20,
      0,
      0,
    ]);
    const aimd = new AimdLimit({ initialLimit: 3, minLimit: 1 });
    const l2 = new AdaptiveLimiter({ limit: aimd });
    l2.tryAcquire()?.dropped();
    expect(l2.limit).toBe(2);
  });

  it('refuses with undefined from tryAcquire and LimitExceededError from acquire at the limit', async () => {
    const { limiter } = setup(1);
    const p = limiter.tryAcquire()!;
    expect(limiter.tryAcquire()).toBeUndefined();
    const err = await limiter.acquire().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LimitExceededError);
    expect(isLimitExceededError(err)).toBe(true);
    expect(err).toMatchObject({ code: 'BREAKWATER_LIMIT_EXCEEDED', reason: 'limit', limit: 1, inFlight: 1 });
    p.ignore();
    expect(await limiter.acquire()).toBeDefined();
    expect(limiter.stats.rejected).toBe(2);
  });

  it('a permit feeds its start time, the RTT and the in-flight count at admission, once', () => {
    const { limiter, algorithm, time } = setup(3);
    const a = limiter.tryAcquire()!;
    time.now += 5;
    const b = limiter.tryAcquire()!;
    time.now += 20;
    a.success(); // measured: 25 ms
    b.dropped(); // measured: 20 ms
    a.success(1);
    b.failure(1);
    const c = limiter.tryAcquire()!;
    c.success(7); // given RTT wins over the clock
    c.ignore();
    expect(algorithm.samples).toEqual([
      [1000, 25, 1, false],
      [1005, 20, 2, true],
      [1025, 7, 1, false],
    ]);
    expect(limiter.inFlight).toBe(0);
  });

  it('a limiter permit is a Permit, and both guards are ConcurrencyGuards', async () => {
    const guards: ConcurrencyGuard[] = [
      new Bulkhead({ maxConcurrent: 1 }),
      new AdaptiveLimiter({ limit: new FixedLimit(1) }),
    ];
    for (const g of guards) {
      const p: Permit | undefined = g.tryAcquire();
      expect(p).toBeDefined();
      expect(g.tryAcquire()).toBeUndefined();
      p!.failure(3);
      expect(await g.execute(() => 'ok')).toBe('ok');
      await g.close();
      expect(g.closed).toBe(true);
    }
  });

  it('execute samples a success with the measured RTT, ignores errors unless isErrorDrop says drop', async () => {
    const { limiter, algorithm, time } = setup(2, { isErrorDrop: (e) => e === 'timeout' });
    const g = gate<string>();
    const run = limiter.execute(() => g.promise);
    time.now += 40;
    g.open('v');
    expect(await run).toBe('v');
    await expect(limiter.execute(() => Promise.reject(new Error('bad request')))).rejects.toThrow(
      'bad request',
    );
    await expect(
      limiter.execute(() => {
        throw 'timeout';
      }),
    ).rejects.toBe('timeout');
    await flush();
    expect(algorithm.samples).toEqual([
      [1000, 40, 1, false],
      [1040, 0, 1, true],
    ]);
    expect(limiter.stats).toMatchObject({ successes: 1, dropped: 1, ignored: 1, inFlight: 0 });
  });

  it('execute over the limit rejects without calling fn', async () => {
    const { limiter } = setup(1);
    limiter.tryAcquire();
    let called = false;
    const err = await limiter
      .execute(() => {
        called = true;
      })
      .catch((e: unknown) => e);
    expect(isLimitExceededError(err)).toBe(true);
    expect(called).toBe(false);
  });

  it('an aborted signal rejects at once with its reason; an abort mid-call releases the slot without a sample', async () => {
    const { limiter, algorithm } = setup(1);
    const pre = new AbortController();
    pre.abort('gone');
    await expect(limiter.execute(() => 1, pre.signal)).rejects.toBe('gone');
    await expect(limiter.acquire(pre.signal)).rejects.toBe('gone');
    expect(limiter.stats.admitted).toBe(0);

    const ac = new AbortController();
    const g = gate<number>();
    let seen: AbortSignal | undefined;
    const run = limiter.execute(({ signal }) => {
      seen = signal;
      return g.promise;
    }, ac.signal);
    expect(seen).toBe(ac.signal);
    ac.abort('cancelled');
    await expect(run).rejects.toBe('cancelled');
    expect(limiter.inFlight).toBe(0);
    g.open(1); // the late result changes nothing
    await flush();
    expect(algorithm.samples).toEqual([]);
    expect(limiter.stats.ignored).toBe(1);
  });

  it('close refuses new calls (reason closed); permits out may still settle', async () => {
    const { limiter, algorithm } = setup(2);
    const p = limiter.tryAcquire()!;
    await limiter[Symbol.asyncDispose]();
    expect(limiter.tryAcquire()).toBeUndefined();
    const err = await limiter.execute(() => 1).catch((e: unknown) => e);
    expect(err).toMatchObject({ reason: 'closed' });
    expect((err as Error).message).toBe('Concurrency limiter is closed');
    p.success(5);
    expect([limiter.inFlight, algorithm.samples.length]).toEqual([0, 1]);
  });

  it('validates its options', () => {
    expect(() => new AdaptiveLimiter({ limit: {} as never })).toThrow(TypeError);
    expect(() => new AdaptiveLimiter({ clock: Date as never })).toThrow(
      'clock must be an object with a now() method, got a function',
    );
    expect(() => new AdaptiveLimiter({ isErrorDrop: 1 as never })).toThrow(
      'isErrorDrop must be a function, got 1',
    );
  });

  it('LimitExceededError is recognised across installs by brand and code', () => {
    const foreign = Object.assign(new Error('x'), {
      code: 'BREAKWATER_LIMIT_EXCEEDED',
      [Symbol.for('breakwater.error')]: true,
    });
    expect(foreign instanceof LimitExceededError).toBe(true);
    expect(isLimitExceededError({ code: 'BREAKWATER_LIMIT_EXCEEDED' })).toBe(false);
    expect(LimitExceededError.code).toBe('BREAKWATER_LIMIT_EXCEEDED');
  });
});
