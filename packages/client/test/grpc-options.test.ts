import { createGrpcClient } from '@breakwater/client/grpc';
import { StaticRegistry } from '@breakwater/discovery';
import { expect, it } from 'vitest';
import { Greeter } from './grpc/servers.js';

const registry = new StaticRegistry({ greeter: ['127.0.0.1:1'] });

it('validates options at construction, naming the option', () => {
  const bad: [object, RegExp][] = [
    [{ service: '' }, /service must be a non-empty string/],
    [{ service: 'greeter', retry: { codes: [0] } }, /^retry\.codes must hold gRPC status codes 1-16, got 0/],
    [
      { service: 'greeter', retry: { maxAttempts: 0 } },
      /^retry\.maxAttempts must be a positive integer, got 0/,
    ],
    [
      { service: 'greeter', methods: { SayHello: { timeoutMs: -1 } } },
      /^methods\.SayHello\.timeoutMs must be/,
    ],
    [
      { service: 'greeter', healthCheck: { pollIntervalMs: 0 } },
      /healthCheck\.pollIntervalMs must be a positive/,
    ],
    [{ service: 'greeter', idempotentMethods: 'SayHello' }, /idempotentMethods must be an array/],
    [
      { service: 'greeter', bulkhead: { maxConcurrent: -1 } },
      /bulkhead\.maxConcurrent must be a positive integer/,
    ],
    [{ service: 'greeter', evaluateIntervalMs: 0 }, /evaluateIntervalMs/],
    [{ service: 'greeter', methods: { SayHelo: {} } }, /methods\.SayHelo: the service has no method/],
  ];
  for (const [options, message] of bad) {
    expect(() => createGrpcClient(Greeter, { registry, ...options } as never)).toThrow(message);
  }
  expect(() => createGrpcClient(Greeter, { service: 'greeter' } as never)).toThrow(TypeError);
  expect(() => createGrpcClient(null as never, { registry, service: 'greeter' })).toThrow(TypeError);
});

it('never mutates its arguments and exposes every method under both names', async () => {
  const options = Object.freeze({
    registry,
    service: 'greeter',
    idempotentMethods: Object.freeze(['SayHello']),
    methods: Object.freeze({ count: Object.freeze({ timeoutMs: 100 }) }),
    channelOptions: Object.freeze({ 'grpc.keepalive_time_ms': 10_000 }),
  });
  const client = createGrpcClient(Greeter, options);
  for (const name of ['SayHello', 'sayHello', 'Count', 'count', 'Sum', 'sum', 'Chat', 'chat']) {
    expect(typeof (client as unknown as Record<string, unknown>)[name]).toBe('function');
  }
  await client.close();
});
