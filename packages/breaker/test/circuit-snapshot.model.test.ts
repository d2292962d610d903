import {
  type CircuitBreaker,
  ConsecutiveFailures,
  CountWindow,
  type Permit,
  TimeWindow,
  type TripStrategy,
} from '@breakwater/breaker';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { breakerFor, type MachineConfig, machineConfigArb, propertyParams } from './support/breaker-model.js';
import { FakeTime, lcg } from './support/fake-time.js';
import { countWindowArb, timeWindowArb } from './support/strategy-arbs.js';

type Outcome = 'success' | 'failure' | 'ignore';
type Op =
  | { op: 'call'; outcome: Outcome; durationMs: number }
  | { op: 'acquire' }
  | { op: 'settle'; index: number; outcome: Outcome; durationMs: number }
  | { op: 'advance'; ms: number }
  | { op: 'isolate' }
  | { op: 'reset' };

const outcome = fc.constantFrom<Outcome>('success', 'failure', 'failure', 'ignore');
const duration = fc.oneof(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 90, max: 200 }));
const prefixOp: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ op: fc.constant('call' as const), outcome, durationMs: duration }) },
  {
    weight: 3,
    arbitrary: fc.record({ op: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 120 }) }),
  },
  { weight: 1, arbitrary: fc.constantFrom<Op>({ op: 'isolate' }, { op: 'reset' }) },
);
const suffixOp: fc.Arbitrary<Op> = fc.oneof(
  prefixOp,
  { weight: 4, arbitrary: fc.constant<Op>({ op: 'acquire' }) },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('settle' as const),
      index: fc.nat(10),
      outcome,
      durationMs: duration,
    }),
  },
);

function settle(p: Permit, o: Outcome, durationMs: number): void {
  if (o === 'ignore') p.ignore();
  else p[o](durationMs);
}

/** Applies one op to a breaker; returns what a caller could observe (admitted or not). */
function apply(b: CircuitBreaker, time: FakeTime, op: Op, held: Permit[]): boolean | undefined {
  switch (op.op) {
    case 'call': {
      const p = b.tryAcquire();
      if (p) settle(p, op.outcome, op.durationMs);
      return p !== undefined;
    }
    case 'acquire': {
      const p = b.tryAcquire();
      if (p) held.push(p);
      return p !== undefined;
    }
    case 'settle': {
      if (held.length === 0) return undefined;
      const [p] = held.splice(op.index % held.length, 1);
      settle(p!, op.outcome, op.durationMs);
      return undefined;
    }
    case 'advance':
      time.now += op.ms;
      return undefined;
    case 'isolate':
      b.isolate();
      return undefined;
    case 'reset':
      b.reset();
      return undefined;
  }
}

function property(
  strategyArb: fc.Arbitrary<() => TripStrategy>,
): fc.IPropertyWithHooks<[MachineConfig, () => TripStrategy, Op[], Op[]]> {
  return fc.property(
    machineConfigArb,
    strategyArb,
    fc.array(prefixOp, { maxLength: 40, size: 'max' }),
    fc.array(suffixOp, { maxLength: 40, size: 'max' }),
    (config, makeStrategy, prefix, suffix) => {
      const time = new FakeTime();
      // The RNG is not part of a snapshot: count the original's draws so the copy's RNG starts
      // where the original's stands.
      let draws = 0;
      const rngA = lcg(7);
      const original = breakerFor(config, makeStrategy(), time, () => {
        draws++;
        return rngA();
      });
      for (const op of prefix) apply(original, time, op, []);

      const snapshot = JSON.parse(JSON.stringify(original.exportSnapshot()));
      const rngB = lcg(7);
      for (let k = 0; k < draws; k++) rngB();
      const copy = breakerFor(config, makeStrategy(), time, rngB);
      copy.importSnapshot(snapshot);
      expect(copy.exportSnapshot()).toEqual(original.exportSnapshot());

      const heldA: Permit[] = [];
      const heldB: Permit[] = [];
      for (const op of suffix) {
        if (op.op === 'advance') {
          time.now += op.ms;
        } else {
          const seenA = apply(original, time, op, heldA);
          const seenB = apply(copy, time, op, heldB);
          expect(seenB).toBe(seenA);
        }
        expect(copy.state.type).toBe(original.state.type);
        expect(copy.exportSnapshot()).toEqual(original.exportSnapshot());
      }
    },
  );
}

describe('snapshot export → import', () => {
  it('gives a ConsecutiveFailures breaker that behaves identically', () => {
    const arb = fc
      .integer({ min: 1, max: 5 })
      .map((threshold) => () => new ConsecutiveFailures({ threshold }));
    fc.assert(property(arb), propertyParams);
  });

  it('gives a CountWindow breaker that behaves identically', () => {
    fc.assert(property(countWindowArb.map((o) => () => new CountWindow(o))), propertyParams);
  });

  it('gives a TimeWindow breaker that behaves identically', () => {
    fc.assert(property(timeWindowArb.map((o) => () => new TimeWindow(o))), propertyParams);
  });
});
