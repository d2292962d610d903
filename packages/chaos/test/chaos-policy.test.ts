import {
  ChaosPolicy,
  chaos,
  InjectedFaultError,
  isInjectedFaultError,
  seededRandom,
} from '@breakwater/chaos';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';

describe('chaos policy', () => {
  it('passes calls through at rate 0 and gives fn the signal', async () => {
    const p = chaos({ injectionRate: 0, fault: { error: () => new InjectedFaultError() } });
    const ac = new AbortController();
    let seen: AbortSignal | undefined;
    await expect(
      p.execute(({ signal }) => {
        seen = signal;
        return 7;
      }, ac.signal),
    ).resolves.toBe(7);
    expect(seen).toBe(ac.signal);
    expect(p.stats).toEqual({ calls: 1, injected: 0 });
  });

  it('injects errors without calling fn', async () => {
    const p = chaos({ injectionRate: 1, fault: { error: () => new InjectedFaultError('boom') } });
    let called = false;
    const err = await p
      .execute(() => {
        called = true;
      })
      .catch((e: unknown) => e);
    expect(called).toBe(false);
    expect(err).toBeInstanceOf(InjectedFaultError);
    expect(isInjectedFaultError(err)).toBe(true);
    expect((err as InjectedFaultError).code).toBe('BREAKWATER_CHAOS_INJECTED_FAULT');
  });

  it('injects a chosen result', async () => {
    const p = chaos({ injectionRate: 1, fault: { result: () => 'cached' as const } });
    const r: number | 'cached' = await p.execute(() => 1);
    expect(r).toBe('cached');
  });

  it('injects latency before the real call (fake timers)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const p = chaos({ injectionRate: 1, fault: { latencyMs: 40 } });
      let calls = 0;
      const run = p.execute(() => {
        calls++;
        return 'ok';
      });
      // The real call waits out the injected 40 ms on the (fake) timers.
      await vi.advanceTimersByTimeAsync(39);
      expect(calls).toBe(0);
      await vi.advanceTimersByTimeAsync(1);
      await expect(run).resolves.toBe('ok');
      expect(calls).toBe(1);
      expect(p.stats).toEqual({ calls: 1, injected: 1 });
    } finally {
      vi.useRealTimers();
    }
  });

  it('an abort during injected latency rejects promptly with the reason and leaves no timer', async () => {
    const p = chaos({ injectionRate: 1, fault: { latencyMs: 60_000 } });
    const timers = () => process.getActiveResourcesInfo().filter((k) => k === 'Timeout').length;
    const before = timers();
    const ac = new AbortController();
    let called = false;
    const run = p.execute(() => {
      called = true;
    }, ac.signal);
    expect(timers()).toBe(before + 1);
    const reason = new Error('stop');
    ac.abort(reason);
    await expect(run).rejects.toBe(reason);
    expect(timers()).toBe(before);
    expect(called).toBe(false);
  });

  it('rejects at once when the signal is already aborted', async () => {
    const p = chaos({ injectionRate: 1, fault: { result: () => 1 } });
    await expect(p.execute(() => 2, AbortSignal.abort('gone'))).rejects.toBe('gone');
    expect(p.stats.calls).toBe(0);
  });

  it('switches at run time', async () => {
    const p = chaos({ injectionRate: 1, enabled: false, fault: { result: () => 'fake' } });
    expect(await p.execute(() => 'real')).toBe('real');
    p.enabled = true;
    expect(await p.execute(() => 'real')).toBe('fake');
    p.injectionRate = 0;
    expect(await p.execute(() => 'real')).toBe('real');
    expect(() => {
      p.injectionRate = 1.5;
    }).toThrow(RangeError);
  });

  it('propagates fn errors, sync or async', async () => {
    const p = chaos({ injectionRate: 0, fault: { latencyMs: 1 } });
    const e = new Error('real');
    await expect(
      p.execute(() => {
        throw e;
      }),
    ).rejects.toBe(e);
    await expect(p.execute(() => Promise.reject(e))).rejects.toBe(e);
  });

  it('validates options, naming them', () => {
    expect(() => chaos({ injectionRate: -0.1, fault: { latencyMs: 1 } })).toThrow(
      /injectionRate must be a number in \[0, 1\]/,
    );
    expect(() => chaos({ injectionRate: 0.5, fault: {} as never })).toThrow(/fault must have one of/);
    expect(() => chaos({ injectionRate: 0.5, fault: { latencyMs: -1 } })).toThrow(/fault\.latencyMs/);
    expect(() => chaos({ injectionRate: 0.5, fault: { error: 'x' as never } })).toThrow(
      /fault\.error must be a function/,
    );
    expect(() => chaos({ injectionRate: 0.5, seed: 1.5, fault: { latencyMs: 1 } })).toThrow(/seed/);
    expect(new ChaosPolicy({ injectionRate: 0.5, fault: { latencyMs: 1 } }).enabled).toBe(true);
  });

  it('property: the injected share is within tolerance of injectionRate for a seeded RNG', async () => {
    const n = 1_000;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        async (seed, rate) => {
          const p = chaos({ injectionRate: rate, seed, fault: { result: () => 'x' } });
          let injected = 0;
          for (let i = 0; i < n; i++) if ((await p.execute(() => 'real')) === 'x') injected++;
          expect(p.stats.injected).toBe(injected);
          // 5 standard deviations of a binomial share, plus a little slack for tiny rates.
          const tolerance = 5 * Math.sqrt((rate * (1 - rate)) / n) + 0.005;
          expect(Math.abs(injected / n - rate)).toBeLessThanOrEqual(tolerance);
        },
      ),
      { seed: 9, numRuns: 200 },
    );
  });

  it('property: same seed, same decisions (reproducible)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        async (seed, rate) => {
          const a = chaos({ injectionRate: rate, random: seededRandom(seed), fault: { result: () => 'x' } });
          const b = chaos({ injectionRate: rate, seed, fault: { result: () => 'x' } });
          for (let i = 0; i < 50; i++) expect(await a.execute(() => 'y')).toBe(await b.execute(() => 'y'));
        },
      ),
      { seed: 11, numRuns: 200 },
    );
  });
});
