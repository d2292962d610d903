import diagnostics from 'node:diagnostics_channel';
import { createGrpcClient } from '@breakwater/client/grpc';
import { StaticRegistry } from '@breakwater/discovery';
import { constant } from '@breakwater/retry';
import * as grpc from '@grpc/grpc-js';
import { afterEach, expect, it } from 'vitest';
import { readAll, unary } from './grpc/client.js';
import { Greeter, type GrpcTestServer, startGrpcServers, until } from './grpc/servers.js';

let servers: GrpcTestServer[] = [];

afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

function resources(): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of process.getActiveResourcesInfo()) m.set(r, (m.get(r) ?? 0) + 1);
  return m;
}

function noMoreThan(base: Map<string, number>): boolean {
  for (const [k, v] of resources()) if (v > (base.get(k) ?? 0)) return false;
  return true;
}

it('leaves no socket, timer, channel or health stream open after close()', async () => {
  servers = await startGrpcServers(3);
  const base = resources();
  const registry = new StaticRegistry({ greeter: servers.map((s) => s.address) });
  const client = createGrpcClient(Greeter, {
    registry,
    service: 'greeter',
    idempotentMethods: ['SayHello'],
    healthCheck: { serviceName: '' },
    balancer: { policy: 'round-robin' },
  });
  for (let i = 0; i < 6; i++) expect((await unary(client.sayHello, { name: 'x' })).error).toBeUndefined();
  expect((await readAll(client.count({ n: 3 }))).messages).toHaveLength(3);
  // An endpoint that leaves: its channel and health stream close; traffic goes to the others.
  registry.replace({ greeter: [servers[1]!.address, servers[2]!.address] });
  expect(client.endpoints().map((e) => e.id)).not.toContain(servers[0]!.address);
  const before = servers[0]!.calls('SayHello');
  for (let i = 0; i < 4; i++) expect((await unary(client.sayHello, { name: 'y' })).error).toBeUndefined();
  expect(servers[0]!.calls('SayHello')).toBe(before);
  expect(resources().get('TCPSocketWrap') ?? 0).toBeGreaterThan(base.get('TCPSocketWrap') ?? 0);
  await client.close();
  await registry.close();
  await until(() => noMoreThan(base), 10_000, 'resources to be released');
  // Calls after close fail at once, the gRPC way, with the Breakwater reason as cause.
  const r = await unary(client.sayHello, { name: 'z' });
  expect(r.error?.code).toBe(grpc.status.UNAVAILABLE);
  expect((r.error?.cause as { code?: string } | undefined)?.code).toBe('BREAKWATER_CLIENT_CLOSED');
});

it('a call waiting to retry fails with ClientClosedError as cause when close() comes', async () => {
  servers = await startGrpcServers(1);
  servers[0]!.fault = { kind: 'status', code: grpc.status.UNAVAILABLE };
  const registry = new StaticRegistry({ greeter: [servers[0]!.address] });
  const client = createGrpcClient(Greeter, {
    registry,
    service: 'greeter',
    idempotentMethods: ['SayHello'],
    retry: { backoff: constant(60_000), maxAttempts: 3 },
    timeoutMs: 120_000,
  });
  let retrying = false;
  const onRetry = (): void => {
    retrying = true;
  };
  diagnostics.subscribe('breakwater:retry', onRetry);
  const pending = unary(client.sayHello, { name: 'x' });
  await until(() => retrying, 10_000, 'the retry to be scheduled');
  diagnostics.unsubscribe('breakwater:retry', onRetry);
  expect(servers[0]!.calls('SayHello')).toBe(1);
  // close() itself ends the call sleeping out its 60 s backoff, before it resolves.
  const order: string[] = [];
  const onEnd = (m: unknown): void => {
    order.push(`call ended: ${(m as { outcome: string }).outcome}`);
  };
  diagnostics.subscribe('breakwater:request:end', onEnd);
  await client.close();
  order.push('close() resolved');
  diagnostics.unsubscribe('breakwater:request:end', onEnd);
  expect(order).toEqual(['call ended: rejected', 'close() resolved']);
  const r = await pending;
  expect(r.error?.code).toBe(grpc.status.UNAVAILABLE);
  expect((r.error?.cause as { code?: string } | undefined)?.code).toBe('BREAKWATER_CLIENT_CLOSED');
  expect(servers[0]!.calls('SayHello')).toBe(1);
  await registry.close();
});
