import { ConsulClient, ConsulRegistry, registerService, ServiceRegistration } from '@breakwater/discovery';
import { ConsulSimulator, ManualClock } from '@breakwater/discovery/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually, ids, Recorder } from './helpers.js';

describe('registerService', () => {
  let sim: ConsulSimulator;
  let client: ConsulClient;

  beforeEach(async () => {
    sim = await ConsulSimulator.start();
    client = new ConsulClient({ address: sim.address });
  });
  afterEach(async () => {
    await client.close();
    await sim.close();
  });

  const updates = () =>
    sim.requests.filter((r) => decodeURIComponent(r.path) === '/v1/agent/check/update/service:api-1').length;

  it('registers, reports passing at once (TTL checks start critical) and heartbeats before expiry', async () => {
    const reg = await registerService(client, {
      name: 'api',
      id: 'api-1',
      port: 8001,
      check: { type: 'ttl', ttlMs: 300 },
    });
    try {
      expect(sim.state.checks.get('service:api-1')!.Status).toBe('passing');
      expect(updates()).toBe(1);
      // Every ttl/3 = 100 ms: wait (by polling) for two heartbeats.
      await eventually(() => reg.heartbeats >= 2, 5_000, 'two heartbeats');
      expect(updates()).toBeGreaterThanOrEqual(3);
      expect(sim.state.checks.get('service:api-1')!.Status).toBe('passing');
    } finally {
      await reg.close();
    }
    expect(sim.state.services.has('api-1')).toBe(false);
  });

  it('keeps reporting the status it was marked with on later heartbeats', async () => {
    const reg = await registerService(client, {
      name: 'api',
      id: 'api-1',
      port: 8001,
      check: { type: 'ttl', ttlMs: 300 },
    });
    try {
      await reg.warn('slow disk');
      expect(sim.state.checks.get('service:api-1')).toMatchObject({ Status: 'warning', Output: 'slow disk' });
      const n = reg.heartbeats;
      await eventually(() => reg.heartbeats >= n + 2, 5_000, 'heartbeats');
      expect(sim.state.checks.get('service:api-1')!.Status).toBe('warning');
      await reg.fail('down');
      expect(sim.state.checks.get('service:api-1')!.Status).toBe('critical');
      expect(reg.status).toBe('critical');
    } finally {
      await reg.close();
    }
  });

  it('registers again when the agent has forgotten the service', async () => {
    const reg = await registerService(client, {
      name: 'api',
      id: 'api-1',
      port: 8001,
      check: { type: 'ttl', ttlMs: 300 },
    });
    try {
      sim.state.deregister('api-1');
      await eventually(() => sim.state.services.has('api-1'), 5_000, 're-registration');
      await eventually(() => sim.state.checks.get('service:api-1')?.Status === 'passing', 5_000, 'passing');
    } finally {
      await reg.close();
    }
  });

  it('sends HTTP and gRPC checks with interval, timeout and DeregisterCriticalServiceAfter', async () => {
    const http = await registerService(client, {
      name: 'web',
      id: 'web-1',
      port: 8080,
      check: {
        type: 'http',
        url: 'http://127.0.0.1:8080/health',
        intervalMs: 10_000,
        timeoutMs: 1_500,
        deregisterCriticalServiceAfterMs: 90_000,
      },
    });
    const grpc = await registerService(client, {
      name: 'rpc',
      id: 'rpc-1',
      port: 9090,
      check: { type: 'grpc', target: '127.0.0.1:9090/rpc', intervalMs: 5_000 },
    });
    expect(sim.state.checks.get('service:web-1')).toMatchObject({ Type: 'http', deregisterAfterMs: 90_000 });
    expect(sim.state.checks.get('service:rpc-1')).toMatchObject({ Type: 'grpc' });
    await expect(http.pass()).rejects.toThrow(TypeError);
    await http.close();
    await grpc.close();
    expect(sim.state.services.size).toBe(0);
  });

  it('validates options, naming the field', async () => {
    await expect(registerService(client, { name: 'a', port: 0 })).rejects.toThrow(/port/);
    await expect(registerService(client, { name: '', port: 1 })).rejects.toThrow(/name/);
    await expect(
      registerService(client, { name: 'a', port: 1, check: { type: 'ttl', ttlMs: 100, heartbeatMs: 200 } }),
    ).rejects.toThrow(/heartbeatMs/);
    await expect(registerService(client, { name: 'a', port: 1, meta: { 'a b': 'x' } })).rejects.toThrow(
      /meta key/,
    );
    expect(sim.requests).toHaveLength(0);
  });

  it('close() is idempotent and the handle is async-disposable', async () => {
    {
      await using reg = await ServiceRegistration.register(client, { name: 'api', id: 'api-1', port: 8001 });
      expect(sim.state.services.has(reg.id)).toBe(true);
      await reg.close();
    }
    expect(sim.state.services.has('api-1')).toBe(false);
  });
});

describe('TTL expiry seen by a watcher', () => {
  it('an expired TTL check removes the endpoint (simulator clock advanced explicitly)', async () => {
    const clock = new ManualClock();
    const sim = await ConsulSimulator.start({ clock });
    const registry = new ConsulRegistry({ connection: { address: sim.address }, minIntervalMs: 0 });
    try {
      sim.state.register({ Name: 'api', ID: 'a', Port: 1, Check: { TTL: '10s', Status: 'passing' } });
      sim.state.register({ Name: 'api', ID: 'b', Port: 2, Check: { TTL: '30s', Status: 'passing' } });
      const rec = new Recorder(registry, 'api');
      await rec.until((s) => s.length === 2);
      clock.advance(10_000);
      sim.evaluate();
      expect(ids(await rec.until((s) => s.length === 1))).toEqual(['b']);
    } finally {
      await registry.close();
      await sim.close();
    }
  });
});
