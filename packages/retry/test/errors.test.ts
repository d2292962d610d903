import {
  DeadlineExceededError,
  HedgeLostError,
  isDeadlineExceededError,
  isHedgeLostError,
  isRetriesExhaustedError,
  isRetryBudgetExhaustedError,
  RetriesExhaustedError,
  RetryBudgetExhaustedError,
} from '@breakwater/retry';
import { describe, expect, it } from 'vitest';

describe('errors', () => {
  it('have stable codes, names, attempts and the last outcome as cause', () => {
    const cause = new Error('last');
    const a = new RetryBudgetExhaustedError(2, { ok: false, error: cause });
    const b = new RetriesExhaustedError(3, { ok: true, value: 503 });
    const c = new DeadlineExceededError(1, { ok: false, error: cause });
    expect([a.code, b.code, c.code, new HedgeLostError().code]).toEqual([
      'BREAKWATER_RETRY_BUDGET_EXHAUSTED',
      'BREAKWATER_RETRIES_EXHAUSTED',
      'BREAKWATER_DEADLINE_EXCEEDED',
      'BREAKWATER_HEDGE_LOST',
    ]);
    expect([a.name, b.name, c.name]).toEqual([
      'RetryBudgetExhaustedError',
      'RetriesExhaustedError',
      'DeadlineExceededError',
    ]);
    expect([a.attempts, b.attempts, c.attempts]).toEqual([2, 3, 1]);
    expect([a.cause, b.cause, c.cause]).toEqual([cause, 503, cause]);
    expect(new DeadlineExceededError(0).cause).toBeUndefined();
    expect(a).toBeInstanceOf(Error);
  });

  it('instanceof and guards work across duplicate installs (brand + code), not by prototype', () => {
    const foreign = Object.assign(new Error('x'), {
      code: 'BREAKWATER_DEADLINE_EXCEEDED',
      [Symbol.for('breakwater.error')]: true,
    });
    expect(foreign instanceof DeadlineExceededError).toBe(true);
    expect(isDeadlineExceededError(foreign)).toBe(true);
    expect(foreign instanceof RetriesExhaustedError).toBe(false);
    const unbranded = Object.assign(new Error('x'), { code: 'BREAKWATER_DEADLINE_EXCEEDED' });
    expect(unbranded instanceof DeadlineExceededError).toBe(false);
    expect(isRetriesExhaustedError(new RetriesExhaustedError(1, { ok: true, value: 1 }))).toBe(true);
    expect(isRetryBudgetExhaustedError(new Error('x'))).toBe(false);
    expect(isHedgeLostError(new HedgeLostError())).toBe(true);
    expect(isHedgeLostError(null)).toBe(false);
  });
});
