import { DEPOSIT_CLOCK_EVERY, RetryBudget } from '@breakwater/retry';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

class ManualClock {
  t = 0;
  now(): number {
    return this.t;
  }
}

// Reference model: every deposit and every allowed withdrawal with its time. The exact Finagle
// formula is checked against it on each withdrawal:
//  - safety: an allowed retry never makes retries in (t−ttl, t] exceed p × requests in (t−ttl, t] + reserve;
//  - liveness: a refusal happens only if even the one-slice-stingier window would refuse
//    (retries in (t−ttl−w, t] + 1 > p × (requests in [t−ttl+w, t] − (DEPOSIT_CLOCK_EVERY − 1)) + reserve,
//    the last term because deposit() stamps up to that many deposits with an older time), so the
//    budget is not simply refusing everything.
interface Model {
  clock: ManualClock;
  ttl: number;
  width: number;
  p: number;
  reserve: number;
  deposits: number[];
  withdrawals: number[];
}

type Real = RetryBudget;

const count = (xs: number[], pred: (t: number) => boolean) => xs.filter(pred).length;

class DepositCommand implements fc.Command<Model, Real> {
  check = () => true;
  run(m: Model, r: Real): void {
    r.deposit();
    m.deposits.push(m.clock.t);
  }
  toString = () => 'deposit';
}

class WithdrawCommand implements fc.Command<Model, Real> {
  check = () => true;
  run(m: Model, r: Real): void {
    const t = m.clock.t;
    const allowed = r.tryWithdraw();
    if (allowed) {
      m.withdrawals.push(t);
      const w = count(m.withdrawals, (x) => x > t - m.ttl);
      const d = count(m.deposits, (x) => x > t - m.ttl);
      expect(w).toBeLessThanOrEqual(m.p * d + m.reserve);
    } else {
      const w = count(m.withdrawals, (x) => x > t - m.ttl - m.width);
      const d = Math.max(0, count(m.deposits, (x) => x >= t - m.ttl + m.width) - (DEPOSIT_CLOCK_EVERY - 1));
      expect(w + 1).toBeGreaterThan(m.p * d + m.reserve);
    }
  }
  toString = () => 'withdraw';
}

class AdvanceCommand implements fc.Command<Model, Real> {
  constructor(readonly ms: number) {}
  check = () => true;
  run(m: Model): void {
    m.clock.t += this.ms;
  }
  toString = () => `advance(${this.ms})`;
}

describe('RetryBudget', () => {
  it('never allows more retries than percentCanRetry × requests + reserve over any ttl window (model-based)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 300 }),
        fc.constantFrom(0, 0.05, 0.1, 0.2, 0.5, 1, 2),
        fc.constantFrom(0, 0.5, 1, 3, 10),
        fc.commands(
          [
            fc.constant(new DepositCommand()),
            fc.constant(new DepositCommand()),
            fc.constant(new WithdrawCommand()),
            fc.integer({ min: 0, max: 400 }).map((ms) => new AdvanceCommand(ms)),
          ],
          { size: 'large' },
        ),
        (buckets, width, p, minRetriesPerSecond, cmds) => {
          const clock = new ManualClock();
          clock.t = 12_345;
          const ttl = buckets * width;
          const real = new RetryBudget({ ttl, buckets, percentCanRetry: p, minRetriesPerSecond, clock });
          const model: Model = {
            clock,
            ttl,
            width,
            p,
            reserve: (minRetriesPerSecond * ttl) / 1000,
            deposits: [],
            withdrawals: [],
          };
          fc.modelRun(() => ({ model, real }), cmds);
        },
      ),
      { seed: 20261126, numRuns: 1000 },
    );
  });

  it('has the Finagle defaults: 20%, 10 retries/s, 10 s ttl', () => {
    const clock = new ManualClock();
    const b = new RetryBudget({ clock });
    expect([b.percentCanRetry, b.minRetriesPerSecond, b.ttl, b.reserve]).toEqual([0.2, 10, 10_000, 100]);
    expect(b.balance()).toBe(100);
    for (let i = 0; i < 100; i++) b.deposit();
    expect(b.balance()).toBe(120);
    let allowed = 0;
    while (b.tryWithdraw()) allowed++;
    expect(allowed).toBe(120);
  });

  it('expires deposits and withdrawals after ttl', () => {
    const clock = new ManualClock();
    const b = new RetryBudget({ clock, minRetriesPerSecond: 0, percentCanRetry: 0.5, ttl: 1000 });
    for (let i = 0; i < 10; i++) b.deposit();
    expect(b.balance()).toBe(5);
    for (let i = 0; i < 5; i++) expect(b.tryWithdraw()).toBe(true);
    expect(b.tryWithdraw()).toBe(false);
    clock.t += 1000;
    // deposits expired; withdrawals are kept one slice (ttl/10) longer, conservatively
    expect(b.balance()).toBe(0);
    b.deposit();
    b.deposit();
    expect(b.tryWithdraw()).toBe(false);
    clock.t += 100;
    // the old withdrawals expired too; the two deposits at t=1000 still count (0.5 × 2 = 1)
    expect(b.balance()).toBe(1);
    for (let i = 0; i < 3; i++) b.deposit();
    expect(b.tryWithdraw()).toBe(true);
    expect(b.tryWithdraw()).toBe(true);
    expect(b.tryWithdraw()).toBe(false);
  });

  it('handles long idle gaps and a clock that goes backwards', () => {
    const clock = new ManualClock();
    const b = new RetryBudget({ clock, minRetriesPerSecond: 1, ttl: 2000 });
    for (let i = 0; i < 50; i++) b.deposit();
    clock.t += 1e12;
    expect(b.balance()).toBe(2);
    clock.t -= 5000;
    expect(b.tryWithdraw()).toBe(true);
    expect(b.tryWithdraw()).toBe(true);
    expect(b.tryWithdraw()).toBe(false);
  });

  it('validates options, naming them', () => {
    expect(() => new RetryBudget({ ttl: 0 })).toThrow(/ttl/);
    expect(() => new RetryBudget({ minRetriesPerSecond: -1 })).toThrow(/minRetriesPerSecond/);
    expect(() => new RetryBudget({ percentCanRetry: Number.NaN })).toThrow(/percentCanRetry/);
    expect(() => new RetryBudget({ buckets: 1.5 })).toThrow(/buckets/);
    expect(() => new RetryBudget({ clock: {} as never })).toThrow(/clock/);
  });
});
