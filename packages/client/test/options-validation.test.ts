// Every option is validated when the client is created, with its path in the message: the bad
// configurations issue 18 found accepted, or rejected only at the first call.
import { createHttpClient } from '@breakwater/client';
import { createGrpcClient } from '@breakwater/client/grpc';
import { StaticRegistry } from '@breakwater/discovery';
import { afterAll, describe, expect, it } from 'vitest';
import { Greeter } from './grpc/servers.js';

const registry = new StaticRegistry({ catalog: ['127.0.0.1:1'], greeter: ['127.0.0.1:1'] });
afterAll(() => registry.close());

const http =
  (catalog: unknown, top: object = {}) =>
  () =>
    createHttpClient({ registry, services: { catalog: catalog as never }, ...top });

describe('HTTP client options are all checked at construction', () => {
  it.each([
    [
      { balancer: { policy: 'fastest' } },
      RangeError,
      /^services\.catalog\.balancer: policy must be one of .*got fastest/,
    ],
    [{ bulkhead: { maxConcurrent: 1, maxQueue: -1 } }, RangeError, /^services\.catalog\.bulkhead: maxQueue/],
    [{ budget: { percentCanRetry: -0.5 } }, RangeError, /^services\.catalog\.budget: percentCanRetry/],
    [{ budget: { ttl: 0 } }, RangeError, /^services\.catalog\.budget: ttl/],
    [
      { endpointBreaker: { openDurationMs: -1 } },
      RangeError,
      /^services\.catalog\.endpointBreaker: openDurationMs/,
    ],
    [
      { serviceBreaker: { openDurationMs: -1 } },
      RangeError,
      /^services\.catalog\.serviceBreaker: openDurationMs/,
    ],
  ])('rejects %j with the option path', (policy, kind, message) => {
    expect(http(policy)).toThrow(kind);
    expect(http(policy)).toThrow(message);
  });

  it.each([
    [
      { timeout: 100 },
      'services.catalog.timeout is not an option (did you mean services.catalog.timeoutMs?)',
    ],
    [
      { retry: { maxAttempt: 3 } },
      'services.catalog.retry.maxAttempt is not an option (did you mean services.catalog.retry.maxAttempts?)',
    ],
    [
      { hedge: { delay: 10 } },
      'services.catalog.hedge.delay is not an option (did you mean services.catalog.hedge.delayMs?)',
    ],
    [
      { pool: { conections: 4 } },
      'services.catalog.pool.conections is not an option (did you mean services.catalog.pool.connections?)',
    ],
    [
      { routes: [{ path: '/x', timeout: 5 }] },
      'services.catalog.routes[0].timeout is not an option (did you mean services.catalog.routes[0].timeoutMs?)',
    ],
    [
      { hashKey: { headr: 'x-user' } },
      'services.catalog.hashKey.headr is not an option (did you mean services.catalog.hashKey.header?)',
    ],
  ])('rejects the misspelt key in %j, naming it and the nearest known one', (policy, message) => {
    expect(http(policy)).toThrow(TypeError);
    expect(http(policy)).toThrow(message);
  });

  it('rejects misspelt top-level and defaults keys; an unrelated name gets no suggestion', () => {
    expect(http({}, { servics: {} })).toThrow('servics is not an option (did you mean services?)');
    expect(http({}, { defaults: { timoutMs: 5 } })).toThrow(
      'defaults.timoutMs is not an option (did you mean defaults.timeoutMs?)',
    );
    expect(http({ zebra: 1 })).toThrow(/^services\.catalog\.zebra is not an option; known: /);
  });

  it('accepts every documented option (the README example of everything on builds)', async () => {
    const client = createHttpClient({
      registry,
      services: {
        catalog: {
          timeoutMs: 2_000,
          perTryTimeoutMs: 500,
          idempotent: true,
          retry: { maxAttempts: 2, retryAfter: false, maxRetryAfterMs: 1_000, statuses: [503] },
          hedge: { percentile: 0.9, minDelayMs: 2, maxHedged: 1 },
          balancer: { policy: 'peak-ewma', slowRatio: 3, outlierDetection: true },
          bulkhead: { maxConcurrent: 10, maxQueue: 5 },
          budget: { percentCanRetry: 0.1, ttl: 5_000 },
          pool: { connections: 4, keepAliveTimeoutMs: 1_000, pipelining: 1, drainTimeoutMs: 100 },
          routes: [{ method: 'GET', path: '/items/:id', hedge: { delayMs: 20 } }],
        },
      },
      timerResolutionMs: 5,
      evaluateIntervalMs: 500,
    });
    await client.close();
  });
});

describe('gRPC client options share the service-level checks', () => {
  it('rejects a bad balancer policy and a negative breaker open time at construction', () => {
    const grpc = (extra: object) => () =>
      createGrpcClient(Greeter, { registry, service: 'greeter', ...extra } as never);
    expect(grpc({ balancer: { policy: 'fastest' } })).toThrow(/^services\.greeter\.balancer: policy/);
    expect(grpc({ endpointBreaker: { openDurationMs: -1 } })).toThrow(
      /^services\.greeter\.endpointBreaker: openDurationMs/,
    );
  });
});
