// The gRPC client as a dashboard source: inspect() and the calls seen through the channels.
import { createDashboard } from '@breakwater/client';
import { createGrpcClient } from '@breakwater/client/grpc';
import { StaticRegistry } from '@breakwater/discovery';
import * as grpc from '@grpc/grpc-js';
import { afterEach, expect, it } from 'vitest';
import { unary } from './grpc/client.js';
import { Greeter, type GrpcTestServer, startGrpcServers } from './grpc/servers.js';

let servers: GrpcTestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

it('inspect() reports the service, its policies and endpoints; the dashboard shows its calls', async () => {
  servers = await startGrpcServers(2);
  servers[1]!.fault = { kind: 'status', code: grpc.status.UNAVAILABLE };
  const registry = new StaticRegistry({ 'dash-greeter': servers.map((s) => s.address) });
  const client = createGrpcClient(Greeter, {
    registry,
    service: 'dash-greeter',
    idempotentMethods: ['SayHello'],
    bulkhead: { maxConcurrent: 4, maxQueue: 2 },
  });
  const clock = { t: 0, now: () => clock.t };
  const dashboard = createDashboard({ clock, sources: [client] });
  try {
    for (let i = 0; i < 12; i++) expect((await unary(client.sayHello, { name: 'x' })).error).toBeUndefined();
    const [view] = client.inspect();
    expect(view).toMatchObject({
      name: 'dash-greeter',
      breaker: 'closed',
      bulkhead: { inFlight: 0, queued: 0 },
    });
    expect(view!.budget!.balance).toBeGreaterThanOrEqual(0);
    expect(view!.endpoints.map((e) => `${e.host}:${e.port}`).sort()).toEqual(
      servers.map((s) => s.address).sort(),
    );
    clock.t += 1000;
    dashboard.tick();
    const s = dashboard.snapshot().services.find((x) => x.name === 'dash-greeter')!;
    expect(s.totals.requests).toBe(12);
    expect(s.successRate).toBe(1);
    expect(s.totals.retries).toBeGreaterThan(0); // UNAVAILABLE answers were retried on the other server
    const failing = s.endpoints.find((e) => e.address === servers[1]!.address)!;
    expect(failing.totals.failures).toBeGreaterThan(0);
    expect(failing.successRate).toBe(0);
    await client.close();
    expect(client.inspect()).toEqual([]);
  } finally {
    await dashboard.close();
    await client.close();
    await registry.close();
  }
});
