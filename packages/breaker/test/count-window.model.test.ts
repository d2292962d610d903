import { CountWindow } from '@breakwater/breaker';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  breakerCommands,
  checkTrips,
  machineConfigArb,
  propertyParams,
  runMachine,
} from './support/breaker-model.js';
import { countWindowArb } from './support/strategy-arbs.js';
import { CountWindowModel } from './support/strategy-models.js';

describe('CircuitBreaker with CountWindow against the reference model', () => {
  it('agrees with the model, never trips below minimumCalls, and keeps every invariant', () => {
    let trips = 0;
    fc.assert(
      fc.property(machineConfigArb, countWindowArb, breakerCommands(), (config, o, cmds) => {
        const real = runMachine(config, new CountWindow(o), new CountWindowModel(o.size, o), cmds);
        checkTrips(real, o.minimumCalls);
        trips += real.transitions.filter((t) => t.from === 'closed' && t.to === 'open').length;
      }),
      propertyParams,
    );
    expect(trips).toBeGreaterThan(500);
  });
});
