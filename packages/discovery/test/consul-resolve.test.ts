import { ConsulRegistry, isNoEndpointsError } from '@breakwater/discovery';
import { ConsulSimulator, ManualClock } from '@breakwater/discovery/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Recorder } from './helpers.js';

describe('ConsulRegistry.resolve', () => {
  let sim: ConsulSimulator;
  let clock: ManualClock;
  let registry: ConsulRegistry;
  const reads = () => sim.requests.filter((r) => r.path === '/v1/health/service/api').length;

  beforeEach(async () => {
    sim = await ConsulSimulator.start();
    clock = new ManualClock();
    registry = new ConsulRegistry({
      connection: { address: sim.address },
      clock,
      minIntervalMs: 0,
      resolveCache: { max: 2, ttlMs: 1_000 },
    });
    sim.state.register({ Name: 'api', ID: 'api-1', Port: 8001 });
  });
  afterEach(async () => {
    await registry.close();
    await sim.close();
  });

  it('caches one-shot answers in a bounded LRU for ttlMs (by the injected clock)', async () => {
    await registry.resolve('api');
    await registry.resolve('api');
    expect(reads()).toBe(1);
    clock.advance(1_001);
    await registry.resolve('api');
    expect(reads()).toBe(2);
    // max 2 entries: two other services evict api.
    await expect(registry.resolve('web')).rejects.toSatisfy(isNoEndpointsError);
    await expect(registry.resolve('db')).rejects.toSatisfy(isNoEndpointsError);
    await registry.resolve('api');
    expect(reads()).toBe(3);
  });

  it('answers from an active watch without a request', async () => {
    const rec = new Recorder(registry, 'api');
    const snapshot = await rec.until((s) => s.length === 1);
    const before = reads();
    expect(await registry.resolve('api')).toBe(snapshot);
    expect(reads()).toBe(before);
    rec.dispose();
  });

  it('rejects with the signal reason when aborted', async () => {
    const reason = new Error('caller gave up');
    await expect(registry.resolve('api', AbortSignal.abort(reason))).rejects.toBe(reason);
  });
});
