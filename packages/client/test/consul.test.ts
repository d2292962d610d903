import { createHttpClient } from '@breakwater/client';
import { ConsulRegistry } from '@breakwater/discovery';
import { ConsulSimulator } from '@breakwater/discovery/testkit';
import { request } from 'undici';
import { afterEach, expect, it } from 'vitest';
import { startServers, type TestServer, until } from './helpers/servers.js';

let servers: TestServer[] = [];
const closers: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  for (const c of closers.splice(0)) await c();
  await Promise.all(servers.map((s) => s.stop()));
  servers = [];
});

it('follows Consul: a deregistered endpoint receives no new requests, a new one does', async () => {
  servers = await startServers(4);
  const sim = await ConsulSimulator.start();
  closers.push(() => sim.close());
  for (const s of servers.slice(0, 3)) {
    sim.state.register({
      Name: 'catalog',
      ID: s.name,
      Address: '127.0.0.1',
      Port: s.port,
      Check: { TTL: '60s', Status: 'passing' },
    });
  }
  const registry = new ConsulRegistry({ connection: { address: sim.address } });
  closers.push(() => registry.close());
  const client = createHttpClient({
    registry,
    services: { catalog: { balancer: { policy: 'round-robin' } } },
  });
  closers.unshift(() => client.close());
  const get = async (): Promise<string> => {
    const res = await request('http://catalog/x', { dispatcher: client.dispatcher });
    expect(res.statusCode).toBe(200);
    return String(res.headers['x-server']);
  };
  const first = new Set<string>();
  for (let i = 0; i < 12; i++) first.add(await get());
  expect([...first].sort()).toEqual(['s0', 's1', 's2']);

  sim.state.deregister('s1');
  await until(() => client.endpoints('catalog').length === 2, 5_000, 'the deregistration to arrive');
  // The departed endpoint's pool is drained and closed: its keep-alive connections go away.
  await until(() => servers[1]!.connections === 0, 5_000, 'the departed pool to close');
  const before = servers[1]!.requests;
  for (let i = 0; i < 20; i++) expect(await get()).not.toBe('s1');
  expect(servers[1]!.requests).toBe(before);

  const s3 = servers[3]!;
  sim.state.register({
    Name: 'catalog',
    ID: s3.name,
    Address: '127.0.0.1',
    Port: s3.port,
    Check: { TTL: '60s', Status: 'passing' },
  });
  await until(() => client.endpoints('catalog').length === 3, 5_000, 'the registration to arrive');
  for (let i = 0; i < 12; i++) await get();
  expect(s3.requests).toBeGreaterThan(0);
});

it('keeps the last snapshot when Consul fails', async () => {
  servers = await startServers(2);
  const sim = await ConsulSimulator.start();
  closers.push(() => sim.close());
  for (const s of servers) {
    sim.state.register({
      Name: 'catalog',
      ID: s.name,
      Address: '127.0.0.1',
      Port: s.port,
      Check: { TTL: '60s', Status: 'passing' },
    });
  }
  const registry = new ConsulRegistry({ connection: { address: sim.address } });
  closers.push(() => registry.close());
  const client = createHttpClient({ registry, services: { catalog: {} } });
  closers.unshift(() => client.close());
  const res = await request('http://catalog/x', { dispatcher: client.dispatcher });
  await res.body.dump();
  sim.injectFault({ kind: 'outage' });
  const errors: unknown[] = [];
  const dc = await import('node:diagnostics_channel');
  const onError = (m: unknown): void => {
    errors.push(m);
  };
  dc.subscribe('breakwater:discovery:error', onError);
  try {
    await until(() => errors.length > 0, 10_000, 'the registry error');
    for (let i = 0; i < 5; i++) {
      const r = await request('http://catalog/x', { dispatcher: client.dispatcher });
      expect(r.statusCode).toBe(200);
      await r.body.dump();
    }
    expect(client.endpoints('catalog')).toHaveLength(2);
  } finally {
    dc.unsubscribe('breakwater:discovery:error', onError);
    sim.clearFaults();
  }
});
