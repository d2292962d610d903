import { createHttpClient } from '@breakwater/client';
import { StaticRegistry } from '@breakwater/discovery';
import { describe, expect, it } from 'vitest';

const registry = new StaticRegistry({ catalog: [{ host: '127.0.0.1', port: 1 }] });

describe('option validation names the option', () => {
  const cases: [string, unknown, RegExp, ErrorConstructor][] = [
    ['no registry', {}, /registry must be a Registry/, TypeError],
    ['unknownHosts', { registry, unknownHosts: 'allow' }, /unknownHosts must be/, RangeError],
    [
      'maxAttempts',
      { registry, services: { catalog: { retry: { maxAttempts: 0 } } } },
      /services\.catalog\.retry\.maxAttempts must be a positive integer, got 0/,
      RangeError,
    ],
    [
      'timeoutMs',
      { registry, services: { catalog: { timeoutMs: -1 } } },
      /services\.catalog\.timeoutMs must be/,
      RangeError,
    ],
    [
      'perTryTimeoutMs',
      { registry, defaults: { perTryTimeoutMs: Number.NaN } },
      /perTryTimeoutMs must be/,
      RangeError,
    ],
    [
      'statuses',
      { registry, services: { catalog: { retry: { statuses: [700] } } } },
      /retry\.statuses must hold HTTP statuses, got 700/,
      RangeError,
    ],
    [
      'backoff',
      { registry, services: { catalog: { retry: { backoff: 5 } } } },
      /retry\.backoff must be a Backoff/,
      TypeError,
    ],
    [
      'hedge',
      { registry, services: { catalog: { hedge: { delayMs: -5 } } } },
      /hedge\.delayMs must be/,
      RangeError,
    ],
    [
      'route path',
      { registry, services: { catalog: { routes: [{ path: 'items' }] } } },
      /routes\[0\]\.path must be/,
      TypeError,
    ],
    [
      'route method',
      { registry, services: { catalog: { routes: [{ path: '/x', method: [''] }] } } },
      /routes\[0\]\.method must be/,
      TypeError,
    ],
    [
      'bulkhead',
      { registry, services: { catalog: { bulkhead: { maxConcurrent: 0 } } } },
      /bulkhead\.maxConcurrent must be a positive integer/,
      RangeError,
    ],
    [
      'pool',
      { registry, services: { catalog: { pool: { connections: 1.5 } } } },
      /pool\.connections must be a positive integer/,
      RangeError,
    ],
    [
      'breaker strategy',
      { registry, services: { catalog: { endpointBreaker: { strategy: {} } } } },
      /endpointBreaker\.strategy must be a function/,
      TypeError,
    ],
    ['timerResolutionMs', { registry, timerResolutionMs: 0 }, /timerResolutionMs must be/, RangeError],
    ['clock', { registry, clock: {} }, /clock must be an object with a now\(\) method/, TypeError],
  ];
  for (const [name, options, message, type] of cases) {
    it(name, () => {
      expect(() => createHttpClient(options as never)).toThrow(type);
      expect(() => createHttpClient(options as never)).toThrow(message);
    });
  }

  it('does not mutate the options', async () => {
    const options = Object.freeze({
      registry,
      services: Object.freeze({ catalog: Object.freeze({ retry: Object.freeze({ maxAttempts: 2 }) }) }),
    });
    const client = createHttpClient(options);
    await client.close();
  });
});
