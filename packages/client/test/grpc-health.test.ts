import { createGrpcClient } from '@breakwater/client/grpc';
import { StaticRegistry } from '@breakwater/discovery';
import * as grpc from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';
import { afterEach, expect, it } from 'vitest';
import { unary } from './grpc/client.js';
import { Greeter, type GrpcTestServer, startGrpcServers, until } from './grpc/servers.js';

let servers: GrpcTestServer[] = [];
const closers: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const c of closers.splice(0)) await c();
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

const SERVICE = 'test.greeter.Greeter';

it('takes a NOT_SERVING endpoint out of the picker and puts it back when SERVING (Watch)', async () => {
  servers = await startGrpcServers(3);
  const registry = new StaticRegistry({ greeter: servers.map((s) => s.address) });
  const client = createGrpcClient(Greeter, {
    registry,
    service: 'greeter',
    balancer: { policy: 'round-robin' },
    healthCheck: { serviceName: SERVICE },
  });
  closers.push(() => client.close());
  await client.ready();
  const s0 = servers[0]!;
  const serving = () => client.endpoints().find((e) => e.id === s0.address)?.serving;
  s0.health.setStatus(SERVICE, 'NOT_SERVING');
  await until(() => serving() === false, 10_000, 'NOT_SERVING to be seen');
  const before = s0.calls('SayHello');
  for (let i = 0; i < 30; i++) expect((await unary(client.sayHello, { name: 'x' })).error).toBeUndefined();
  expect(s0.calls('SayHello')).toBe(before);
  expect(servers[1]!.calls('SayHello') + servers[2]!.calls('SayHello')).toBe(30);
  s0.health.setStatus(SERVICE, 'SERVING');
  await until(() => serving() === true, 10_000, 'SERVING to be seen');
  for (let i = 0; i < 30; i++) await unary(client.sayHello, { name: 'y' });
  expect(s0.calls('SayHello')).toBe(before + 10);
  // Another service name on the same server does not matter.
  s0.health.setStatus('', 'NOT_SERVING');
  for (let i = 0; i < 3; i++) await unary(client.sayHello, { name: 'z' });
  expect(serving()).toBe(true);
});

it('falls back to Check polling when Watch is UNIMPLEMENTED', async () => {
  let status: 'SERVING' | 'NOT_SERVING' = 'SERVING';
  const checks: string[] = [];
  const server = new grpc.Server();
  server.addService(Greeter.service, {
    sayHello: (_c: unknown, cb: grpc.sendUnaryData<unknown>) => cb(null, { message: 'hi', server: 'p' }),
  });
  server.addService(healthService, {
    check: (call: grpc.ServerUnaryCall<{ service: string }, unknown>, cb: grpc.sendUnaryData<unknown>) => {
      checks.push(call.request.service);
      cb(null, { status });
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
      e === null ? resolve(p) : reject(e),
    ),
  );
  closers.push(() => new Promise<void>((r) => server.tryShutdown(() => r())));
  servers = await startGrpcServers(1);
  const polled = `127.0.0.1:${port}`;
  const registry = new StaticRegistry({ greeter: [polled, servers[0]!.address] });
  const client = createGrpcClient(Greeter, {
    registry,
    service: 'greeter',
    healthCheck: { serviceName: SERVICE, pollIntervalMs: 20 },
  });
  closers.unshift(() => client.close());
  await client.ready();
  const view = () => client.endpoints().find((e) => e.id === polled);
  await until(() => checks.length >= 2, 10_000, 'Check polls');
  expect(checks[0]).toBe(SERVICE);
  expect(view()?.serving).toBe(true);
  status = 'NOT_SERVING';
  await until(() => view()?.serving === false, 10_000, 'NOT_SERVING to be polled');
  expect(view()?.healthy).toBe(false);
  status = 'SERVING';
  await until(() => view()?.serving === true, 10_000, 'SERVING to be polled');
  expect(view()?.healthy).toBe(true);
});

it('counts a server without a health service as serving', async () => {
  const server = new grpc.Server();
  server.addService(Greeter.service, {
    sayHello: (_c: unknown, cb: grpc.sendUnaryData<unknown>) => cb(null, { message: 'hi', server: 'bare' }),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
      e === null ? resolve(p) : reject(e),
    ),
  );
  closers.push(() => new Promise<void>((r) => server.tryShutdown(() => r())));
  const registry = new StaticRegistry({ greeter: [`127.0.0.1:${port}`] });
  const client = createGrpcClient(Greeter, { registry, service: 'greeter', healthCheck: true });
  closers.unshift(() => client.close());
  for (let i = 0; i < 5; i++)
    expect((await unary(client.sayHello, { name: 'x' })).value?.server).toBe('bare');
  expect(client.endpoints()[0]?.serving).toBe(true);
});
