// Breakwater "with everything on", as the HTTP, gRPC and dashboard benchmarks configure a service:
// P2C peak-EWMA with outlier detection, endpoint and service breakers, a bulkhead, retries with
// backoff under a retry budget, and a total timeout.
import { ConsecutiveFailures } from '@breakwater/breaker';
import { exponential } from '@breakwater/retry';

export function fullPipelinePolicy(timeoutMs = 10_000) {
  return {
    balancer: { policy: 'peak-ewma', outlierDetection: true },
    endpointBreaker: { strategy: () => new ConsecutiveFailures({ threshold: 5 }), openDurationMs: 10_000 },
    serviceBreaker: {},
    bulkhead: { maxConcurrent: 1_000 },
    retry: { maxAttempts: 3, backoff: exponential({ initial: 25, max: 1_000, jitter: 'full' }) },
    budget: { percentCanRetry: 0.2, minRetriesPerSecond: 10, ttl: 10_000 },
    timeoutMs,
  } as const;
}
