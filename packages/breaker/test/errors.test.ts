import {
  BrokenCircuitError,
  BulkheadFullError,
  isBrokenCircuitError,
  isBulkheadFullError,
} from '@breakwater/breaker';
import { describe, expect, it } from 'vitest';

describe('errors', () => {
  it('BrokenCircuitError has a stable code, the refusing state and the retry time', () => {
    const e = new BrokenCircuitError('open', 1500, 1000);
    expect(e.code).toBe('BREAKWATER_CIRCUIT_OPEN');
    expect(BrokenCircuitError.code).toBe('BREAKWATER_CIRCUIT_OPEN');
    expect(e.name).toBe('BrokenCircuitError');
    expect([e.state, e.retryAt, e.retryAfterMs]).toEqual(['open', 1500, 500]);
    expect(e.message).toContain('500 ms');
    expect(e).toBeInstanceOf(Error);
    expect(new BrokenCircuitError('isolated', undefined, 0).retryAfterMs).toBeUndefined();
  });

  it('BulkheadFullError has a stable code and a reason', () => {
    const e = new BulkheadFullError('queue-timeout', 4, 8);
    expect(e.code).toBe('BREAKWATER_BULKHEAD_FULL');
    expect(BulkheadFullError.code).toBe('BREAKWATER_BULKHEAD_FULL');
    expect([e.reason, e.maxConcurrent, e.maxQueue]).toEqual(['queue-timeout', 4, 8]);
    expect(new BulkheadFullError('full', 4, 8).message).toBe('Bulkhead is full: 4 in flight and 8 queued');
  });

  it('instanceof and the guards work across duplicate installs (brand + code), not by prototype', () => {
    const brand = Symbol.for('breakwater.error');
    const foreign = Object.assign(new Error('from another copy'), {
      code: 'BREAKWATER_CIRCUIT_OPEN',
      [brand]: true,
    });
    expect(foreign instanceof BrokenCircuitError).toBe(true);
    expect(isBrokenCircuitError(foreign)).toBe(true);
    expect(foreign instanceof BulkheadFullError).toBe(false);
    const unbranded = Object.assign(new Error('x'), { code: 'BREAKWATER_CIRCUIT_OPEN' });
    expect(isBrokenCircuitError(unbranded)).toBe(false);
    expect(isBulkheadFullError(new BulkheadFullError('full', 1, 0))).toBe(true);
    expect(isBulkheadFullError(new BrokenCircuitError('open', 1, 0))).toBe(false);
    expect(isBrokenCircuitError(null)).toBe(false);
    expect(isBrokenCircuitError('BREAKWATER_CIRCUIT_OPEN')).toBe(false);
  });
});
