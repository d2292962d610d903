import { TimeWindow } from '@breakwater/breaker';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  breakerCommands,
  checkTrips,
  machineConfigArb,
  propertyParams,
  runMachine,
} from './support/breaker-model.js';
import { timeWindowArb } from './support/strategy-arbs.js';
import { TimeWindowModel } from './support/strategy-models.js';

describe('CircuitBreaker with TimeWindow against the reference model', () => {
  it('agrees with the model as buckets slide, never trips below minimumCalls, and keeps every invariant', () => {
    let trips = 0;
    fc.assert(
      fc.property(machineConfigArb, timeWindowArb, breakerCommands(), (config, o, cmds) => {
        const real = runMachine(
          config,
          new TimeWindow(o),
          new TimeWindowModel(o.windowMs, o.buckets, o),
          cmds,
        );
        checkTrips(real, o.minimumCalls);
        trips += real.transitions.filter((t) => t.from === 'closed' && t.to === 'open').length;
      }),
      propertyParams,
    );
    expect(trips).toBeGreaterThan(300);
  });
});
