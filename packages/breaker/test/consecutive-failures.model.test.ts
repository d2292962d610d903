import { ConsecutiveFailures } from '@breakwater/breaker';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  breakerCommands,
  checkTrips,
  machineConfigArb,
  propertyParams,
  runMachine,
} from './support/breaker-model.js';
import { ConsecutiveModel } from './support/strategy-models.js';

describe('CircuitBreaker with ConsecutiveFailures against the reference model', () => {
  it('agrees with the model, trips exactly at the threshold, and keeps every invariant', () => {
    let trips = 0;
    let recoveries = 0;
    let reopenings = 0;
    fc.assert(
      fc.property(
        machineConfigArb,
        fc.integer({ min: 1, max: 5 }),
        breakerCommands(),
        (config, threshold, cmds) => {
          const real = runMachine(
            config,
            new ConsecutiveFailures({ threshold }),
            new ConsecutiveModel(threshold),
            cmds,
          );
          checkTrips(real, 0, threshold);
          trips += real.transitions.filter((t) => t.from === 'closed' && t.to === 'open').length;
          recoveries += real.transitions.filter((t) => t.from === 'half-open' && t.to === 'closed').length;
          reopenings += real.transitions.filter((t) => t.from === 'half-open' && t.to === 'open').length;
        },
      ),
      propertyParams,
    );
    // The generator must actually reach the interesting states.
    expect(trips).toBeGreaterThan(400);
    expect(recoveries).toBeGreaterThan(50);
    expect(reopenings).toBeGreaterThan(100);
  });
});
