import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  chaosSchedule,
  chaosTargets,
  FAIL_SPEC,
  FRACTIONS,
  SLOW_SPEC,
} from '../src/launcher/chaos-schedule.js';

describe('chaosSchedule', () => {
  it('is the demo timeline for 60 s, 3 instances and the default seed', () => {
    const events = chaosSchedule({ durationMs: 60_000, instances: 3, seed: 1 });
    expect(events.map((e) => [e.atMs, e.label])).toEqual([
      [9_000, 'slow catalog-1 (latency 200–400 ms on every request)'],
      [18_000, 'fail cart-2 (503 on 50 % of requests)'],
      [30_000, 'kill -9 pricing-3'],
      [42_000, 'restart pricing-3 on the same port'],
      [51_000, 'clear the faults on catalog-1 and cart-2'],
    ]);
    expect(events[0]?.action).toEqual({ kind: 'faults', target: 'catalog-1', spec: SLOW_SPEC });
    expect(events[1]?.action).toEqual({ kind: 'faults', target: 'cart-2', spec: FAIL_SPEC });
    expect(events[4]?.action).toEqual({ kind: 'clear', targets: ['catalog-1', 'cart-2'] });
    expect(Object.isFrozen(events)).toBe(true);
  });

  it('scales with the duration: 8 s puts the kill at 4 s and the restart at 5.6 s', () => {
    const events = chaosSchedule({ durationMs: 8_000, instances: 3, seed: 1 });
    expect(events.map((e) => e.atMs)).toEqual([1_200, 2_400, 4_000, 5_600, 6_800]);
  });

  it('rotates the targets with the seed', () => {
    expect(chaosTargets(3, 1)).toEqual({ slow: 'catalog-1', fail: 'cart-2', kill: 'pricing-3' });
    expect(chaosTargets(3, 2)).toEqual({ slow: 'catalog-2', fail: 'cart-3', kill: 'pricing-1' });
    expect(chaosTargets(3, 4)).toEqual(chaosTargets(3, 1));
    expect(chaosTargets(1, 0)).toEqual({ slow: 'catalog-1', fail: 'cart-1', kill: 'pricing-1' });
  });

  it('rejects bad input, naming it', () => {
    expect(() => chaosSchedule({ durationMs: 0, instances: 3, seed: 1 })).toThrow(/durationMs/);
    expect(() => chaosSchedule({ durationMs: 1000, instances: 0, seed: 1 })).toThrow(/instances/);
    expect(() => chaosSchedule({ durationMs: 1000, instances: 3, seed: -1 })).toThrow(/seed/);
  });

  it('property: a pure function of (duration, instances, seed), ordered, inside the run, targets that exist', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 24 * 3_600_000 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        (durationMs, instances, seed) => {
          const a = chaosSchedule({ durationMs, instances, seed });
          expect(chaosSchedule({ durationMs, instances, seed })).toEqual(a);
          expect(a.map((e) => e.fraction)).toEqual(Object.values(FRACTIONS));
          for (let i = 0; i < a.length; i++) {
            const e = a[i]!;
            expect(e.atMs).toBe(Math.round(durationMs * e.fraction));
            expect(e.atMs).toBeGreaterThanOrEqual(0);
            expect(e.atMs).toBeLessThan(durationMs + 1);
            if (i > 0) expect(e.atMs).toBeGreaterThanOrEqual(a[i - 1]!.atMs);
          }
          const ids = a.flatMap((e) => ('targets' in e.action ? e.action.targets : [e.action.target]));
          for (const id of ids) {
            const n = Number(/-(\d+)$/.exec(id)?.[1]);
            expect(n).toBeGreaterThanOrEqual(1);
            expect(n).toBeLessThanOrEqual(instances);
          }
          // The killed instance is the one restarted, and the cleared ones are the ones faulted.
          const [slow, fail, kill, restart, clear] = a.map((e) => e.action);
          expect(restart).toEqual({ kind: 'restart', target: kill?.kind === 'kill' ? kill.target : '' });
          expect(clear).toEqual({
            kind: 'clear',
            targets: [slow?.kind === 'faults' ? slow.target : '', fail?.kind === 'faults' ? fail.target : ''],
          });
        },
      ),
      { seed: 20_261_126, numRuns: 1_000 },
    );
  });
});
