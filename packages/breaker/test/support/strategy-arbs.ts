import fc from 'fast-check';

/** Small count windows, so the model tests reach full windows and trips often. */
export const countWindowArb = fc
  .record({
    size: fc.integer({ min: 1, max: 8 }),
    failureRateThreshold: fc.constantFrom(0.25, 0.5, 0.75, 1),
    slowCallRateThreshold: fc.constantFrom(0.5, 1),
    slowCallDurationMs: fc.constantFrom(50, 100),
    minimumFraction: fc.double({ min: 0, max: 1, noNaN: true }),
  })
  .map(({ minimumFraction, ...o }) => ({
    ...o,
    minimumCalls: Math.max(1, Math.ceil(o.size * minimumFraction)),
  }));

/** Short time windows, so buckets slide within a command sequence. */
export const timeWindowArb = fc.record({
  windowMs: fc.integer({ min: 20, max: 400 }),
  buckets: fc.integer({ min: 1, max: 6 }),
  failureRateThreshold: fc.constantFrom(0.25, 0.5, 0.75, 1),
  slowCallRateThreshold: fc.constantFrom(0.5, 1),
  slowCallDurationMs: fc.constantFrom(50, 100),
  minimumCalls: fc.integer({ min: 1, max: 6 }),
});
