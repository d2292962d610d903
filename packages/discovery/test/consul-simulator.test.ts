import { ConsulSimulator, ManualClock, MIN_DEREGISTER_AFTER_MS } from '@breakwater/discovery/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

interface Answer {
  status: number;
  index: number | undefined;
  body: unknown;
  text: string;
}

async function call(sim: ConsulSimulator, method: string, path: string, body?: unknown, token?: string) {
  const headers: Record<string, string> = {};
  if (token !== undefined) headers['x-consul-token'] = token;
  const res = await fetch(`${sim.address}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const index = res.headers.get('x-consul-index');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return {
    status: res.status,
    index: index === null ? undefined : Number(index),
    body: parsed,
    text,
  } as Answer;
}

describe('ConsulSimulator (models Consul’s documented HTTP API)', () => {
  let sim: ConsulSimulator;
  let clock: ManualClock;

  beforeEach(async () => {
    clock = new ManualClock(1_000);
    sim = await ConsulSimulator.start({ clock, nodeAddress: '10.0.0.9' });
  });
  afterEach(() => sim.close());

  const health = (name: string, query = '') => call(sim, 'GET', `/v1/health/service/${name}${query}`);

  it('new TTL checks start critical; pass makes them passing; ?passing filters', async () => {
    const r = await call(sim, 'PUT', '/v1/agent/service/register', {
      Name: 'api',
      ID: 'api-1',
      Port: 8001,
      Check: { TTL: '10s' },
    });
    expect(r.status).toBe(200);
    const all = await health('api');
    const entry = (all.body as { Checks: { CheckID: string; Status: string }[] }[])[0]!;
    expect(entry.Checks.find((c) => c.CheckID === 'service:api-1')!.Status).toBe('critical');
    expect((await health('api', '?passing')).body).toEqual([]);
    expect((await call(sim, 'PUT', '/v1/agent/check/pass/service:api-1?note=ok')).status).toBe(200);
    expect((await health('api', '?passing')).body).toHaveLength(1);
  });

  it('uses Node.Address when the service has none, and returns weights, tags and meta', async () => {
    await call(sim, 'PUT', '/v1/agent/service/register', {
      Name: 'api',
      Port: 8001,
      Tags: ['v1'],
      Meta: { zone: 'a' },
      Weights: { Passing: 3, Warning: 1 },
    });
    const [entry] = (await health('api')).body as {
      Node: { Address: string };
      Service: { ID: string; Address: string; Tags: string[]; Meta: object; Weights: object };
    }[];
    expect(entry!.Service.ID).toBe('api');
    expect(entry!.Service.Address).toBe('');
    expect(entry!.Node.Address).toBe('10.0.0.9');
    expect(entry!.Service.Weights).toEqual({ Passing: 3, Warning: 1 });
    expect(entry!.Service.Meta).toEqual({ zone: 'a' });
  });

  it('expires TTL checks to critical when the clock passes the TTL; updates reset it', async () => {
    await call(sim, 'PUT', '/v1/agent/service/register', {
      Name: 'api',
      ID: 'api-1',
      Port: 1,
      Check: { TTL: '10s' },
    });
    await call(sim, 'PUT', '/v1/agent/check/update/service:api-1', { Status: 'passing', Output: 'fine' });
    clock.advance(9_000);
    sim.evaluate();
    expect((await health('api', '?passing')).body).toHaveLength(1);
    await call(sim, 'PUT', '/v1/agent/check/warn/service:api-1');
    clock.advance(9_000);
    sim.evaluate();
    expect(sim.state.checks.get('service:api-1')!.Status).toBe('warning');
    clock.advance(2_000);
    sim.evaluate();
    expect(sim.state.checks.get('service:api-1')!.Status).toBe('critical');
    expect(sim.state.checks.get('service:api-1')!.Output).toMatch(/TTL expired/);
  });

  it('reaps a service critical for longer than DeregisterCriticalServiceAfter (floored at 1 minute)', async () => {
    await call(sim, 'PUT', '/v1/agent/service/register', {
      Name: 'api',
      ID: 'api-1',
      Port: 1,
      Check: { TTL: '10s', DeregisterCriticalServiceAfter: '5s' },
    });
    clock.advance(MIN_DEREGISTER_AFTER_MS - 1);
    sim.evaluate();
    expect(sim.state.services.has('api-1')).toBe(true);
    clock.advance(1);
    sim.evaluate();
    expect(sim.state.services.has('api-1')).toBe(false);
  });

  it('blocks while the index has not moved and answers when it does', async () => {
    const first = await health('api');
    const pending = health('api', `?index=${first.index}&wait=1m`);
    await sim.waitForParked(1);
    await call(sim, 'PUT', '/v1/agent/service/register', { Name: 'api', Port: 1 });
    const second = await pending;
    expect(second.index).toBeGreaterThan(first.index!);
    expect(second.body).toHaveLength(1);
  });

  it('answers a blocking query with the same index when the wait elapses', async () => {
    const first = await health('api');
    const second = await health('api', `?index=${first.index}&wait=20ms`);
    expect(second.index).toBe(first.index);
  });

  it('rejects a bad wait or index, and an unknown datacenter', async () => {
    expect((await health('api', '?index=1&wait=soon')).status).toBe(400);
    expect((await health('api', '?index=x')).status).toBe(400);
    const dc = await health('api', '?dc=mars');
    expect(dc.status).toBe(500);
    expect(dc.text).toMatch(/No path to datacenter/);
  });

  it('lists catalog services with their tags, as an index-bearing read', async () => {
    await call(sim, 'PUT', '/v1/agent/service/register', { Name: 'api', ID: 'a', Port: 1, Tags: ['x'] });
    await call(sim, 'PUT', '/v1/agent/service/register', { Name: 'api', ID: 'b', Port: 2, Tags: ['y'] });
    const r = await call(sim, 'GET', '/v1/catalog/services');
    expect(r.body).toEqual({ consul: [], api: ['x', 'y'] });
    expect(r.index).toBeGreaterThan(0);
  });

  it('deregisters by ID and answers 404 for unknown IDs; only TTL checks accept updates', async () => {
    await call(sim, 'PUT', '/v1/agent/service/register', {
      Name: 'api',
      ID: 'a',
      Port: 1,
      Check: { HTTP: 'http://127.0.0.1:1/health', Interval: '10s' },
    });
    expect((await call(sim, 'PUT', '/v1/agent/check/pass/service:a')).status).toBe(500);
    expect((await call(sim, 'PUT', '/v1/agent/check/pass/nope')).status).toBe(404);
    sim.setCheckStatus('service:a', 'passing');
    expect((await health('api', '?passing')).body).toHaveLength(1);
    expect((await call(sim, 'PUT', '/v1/agent/service/deregister/a')).status).toBe(200);
    expect((await call(sim, 'PUT', '/v1/agent/service/deregister/a')).status).toBe(404);
    expect((await call(sim, 'GET', '/v1/agent/service/register')).status).toBe(405);
  });

  it('validates registrations like Consul (name, meta keys, one check kind)', async () => {
    expect((await call(sim, 'PUT', '/v1/agent/service/register', { Port: 1 })).status).toBe(400);
    expect(
      (await call(sim, 'PUT', '/v1/agent/service/register', { Name: 'a', Meta: { 'bad key': 'v' } })).status,
    ).toBe(400);
    expect(
      (
        await call(sim, 'PUT', '/v1/agent/service/register', {
          Name: 'a',
          Check: { TTL: '1s', HTTP: 'http://x' },
        })
      ).status,
    ).toBe(400);
  });

  it('heartbeats that change nothing do not move the index (so watchers are not woken)', async () => {
    await call(sim, 'PUT', '/v1/agent/service/register', {
      Name: 'api',
      ID: 'a',
      Port: 1,
      Check: { TTL: '10s' },
    });
    await call(sim, 'PUT', '/v1/agent/check/pass/service:a');
    const before = sim.state.serviceIndex('api');
    await call(sim, 'PUT', '/v1/agent/check/pass/service:a');
    expect(sim.state.serviceIndex('api')).toBe(before);
  });
});

describe('ConsulSimulator ACL', () => {
  it('requires the configured token and records what it saw', async () => {
    const sim = await ConsulSimulator.start({ requireToken: 's3cret' });
    try {
      expect((await call(sim, 'GET', '/v1/catalog/services')).status).toBe(403);
      expect((await call(sim, 'GET', '/v1/catalog/services', undefined, 's3cret')).status).toBe(200);
      expect(sim.requests.map((r) => r.token)).toEqual([undefined, 's3cret']);
    } finally {
      await sim.close();
    }
  });
});
