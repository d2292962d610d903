import { ConsulClient, ConsulRegistry, isRegistryClosedError, registerService } from '@breakwater/discovery';
import { ConsulSimulator } from '@breakwater/discovery/testkit';
import { describe, expect, it } from 'vitest';
import { eventually, Recorder } from './helpers.js';

function count(type: string): number {
  return process.getActiveResourcesInfo().filter((t) => t === type).length;
}

describe('ConsulRegistry.close', () => {
  it('cancels in-flight blocking queries at once and leaves no socket or timer behind', async () => {
    const sim = await ConsulSimulator.start();
    const sockets0 = count('TCPSocketWrap');
    const timers0 = count('Timeout');
    const client = new ConsulClient({ address: sim.address });
    // A 10-minute wait: only cancellation can end these requests quickly.
    const registry = new ConsulRegistry({ client, waitMs: 600_000 });
    const reg = await registerService(client, {
      name: 'api',
      id: 'api-1',
      port: 8001,
      check: { type: 'ttl', ttlMs: 60_000 },
    });
    const recs = ['api', 'web', 'db'].map((s) => new Recorder(registry, s));
    await Promise.all(recs.map((r) => r.until(() => true)));
    await sim.waitForParked(3);
    expect(registry.activeWatches).toBe(3);
    expect(count('TCPSocketWrap')).toBeGreaterThan(sockets0);

    await reg.close();
    await registry.close();
    expect(registry.activeWatches).toBe(0);
    // The simulator saw every blocking request go away (the client aborted, not the wait timing out).
    await eventually(() => sim.parkedCount() === 0, 5_000, 'parked queries to be cancelled');
    await client.close();
    await eventually(() => count('TCPSocketWrap') <= sockets0, 5_000, 'sockets to close');
    await eventually(() => count('Timeout') <= timers0, 5_000, 'timers to clear');
    expect(() => registry.watch('api', () => {})).toThrow();
    await expect(registry.resolve('api')).rejects.toSatisfy(isRegistryClosedError);
    await sim.close();
  });

  it('an owned client is closed with the registry; disposal works with await using', async () => {
    const sim = await ConsulSimulator.start();
    const sockets0 = count('TCPSocketWrap');
    {
      await using registry = new ConsulRegistry({ connection: { address: sim.address }, waitMs: 600_000 });
      const rec = new Recorder(registry, 'api');
      await rec.until(() => true);
      await sim.waitForParked(1);
    }
    await eventually(() => count('TCPSocketWrap') <= sockets0, 5_000, 'sockets to close');
    await eventually(() => sim.parkedCount() === 0, 5_000, 'parked queries to be cancelled');
    await sim.close();
  });

  it('keeps one upstream watch per service however many listeners, and stops it with the last', async () => {
    const sim = await ConsulSimulator.start();
    sim.state.register({ Name: 'api', ID: 'api-1', Port: 8001 });
    const registry = new ConsulRegistry({ connection: { address: sim.address }, minIntervalMs: 0 });
    try {
      const a = new Recorder(registry, 'api');
      await a.until((s) => s.length === 1);
      const b = new Recorder(registry, 'api');
      const c = new Recorder(registry, 'api');
      // Late subscribers get the current snapshot at once, without a new request.
      const reads = sim.requests.length;
      expect(await b.until(() => true)).toBe(a.snapshots[0]);
      expect(await c.until(() => true)).toBe(a.snapshots[0]);
      expect(registry.activeWatches).toBe(1);
      await sim.waitForParked(1, 'api');
      expect(sim.parkedCount('api')).toBe(1);
      expect(sim.requests.length).toBeLessThanOrEqual(reads + 1);
      a.dispose();
      b.dispose();
      expect(registry.activeWatches).toBe(1);
      c.dispose();
      await eventually(() => registry.activeWatches === 0, 5_000, 'the loop to stop');
      await eventually(() => sim.parkedCount() === 0, 5_000, 'the blocking query to be cancelled');
    } finally {
      await registry.close();
      await sim.close();
    }
  });

  it('does not notify when an answer changes nothing (deduplication)', async () => {
    const sim = await ConsulSimulator.start();
    sim.state.register({ Name: 'api', ID: 'api-1', Port: 8001 });
    const registry = new ConsulRegistry({ connection: { address: sim.address }, minIntervalMs: 0 });
    try {
      const rec = new Recorder(registry, 'api');
      await rec.until((s) => s.length === 1);
      // Another service changes; then an idempotent re-registration of api bumps its index only.
      sim.state.register({ Name: 'web', ID: 'web-1', Port: 9001 });
      await sim.waitForParked(1, 'api');
      const seen = sim.requests.length;
      sim.state.register({ Name: 'api', ID: 'api-1', Port: 8001 });
      await eventually(() => sim.requests.length > seen && sim.parkedCount('api') === 1, 5_000, 'a new read');
      sim.state.register({ Name: 'api', ID: 'api-2', Port: 8002 });
      await rec.until((s) => s.length === 2);
      expect(rec.snapshots.map((s) => s.length)).toEqual([1, 2]);
    } finally {
      await registry.close();
      await sim.close();
    }
  });
});
