// Contract tests: run against the simulator always, and against a real agent too when
// CONSUL_HTTP_ADDR is set (see README "Running the contract tests against Consul").
import {
  ConsulRegistry,
  isNoEndpointsError,
  registerService,
  type ServiceRegistration,
} from '@breakwater/discovery';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ids, openTarget, Recorder, type Target, targetNames, uniqueName } from './helpers.js';

describe.each(targetNames)('ConsulRegistry contract against %s', (targetName) => {
  let target: Target;
  let registry: ConsulRegistry;
  const registrations: ServiceRegistration[] = [];

  beforeEach(async () => {
    target = await openTarget(targetName);
    registry = new ConsulRegistry({ client: target.client(), waitMs: 30_000, minIntervalMs: 0 });
  });

  afterEach(async () => {
    await registry.close();
    await Promise.allSettled(registrations.splice(0).map((r) => r.close()));
    await target.close();
  });

  async function register(name: string, id: string, port: number, extra: { tags?: string[] } = {}) {
    const reg = await registerService(target.client(), {
      name,
      id,
      address: '127.0.0.1',
      port,
      tags: extra.tags,
      // JSON.parse makes `__proto__` an own key, as it would be in registry data.
      meta: JSON.parse('{"zone":"eu-1a","__proto__":"p","constructor":"c"}'),
      weights: { passing: 7, warning: 2 },
      check: { type: 'ttl', ttlMs: 30_000 },
    });
    registrations.push(reg);
    return reg;
  }

  it('a registration reaches a blocked watcher through the blocking query, not a poll', async () => {
    const name = uniqueName('reg');
    await register(name, `${name}-1`, 7001);
    const rec = new Recorder(registry, name);
    expect(ids(await rec.until((s) => s.length === 1))).toEqual([`${name}-1`]);
    // Wait until the watcher is parked in a blocking query, then change the service.
    if (target.sim !== undefined) await target.sim.waitForParked(1, name);
    const requestsBefore = target.sim?.requests.length ?? 0;
    await register(name, `${name}-2`, 7002);
    expect(ids(await rec.until((s) => s.length === 2))).toEqual([`${name}-1`, `${name}-2`]);
    if (target.sim !== undefined) {
      const reads = target.sim.requests.filter((r) => r.path === `/v1/health/service/${name}`);
      // The answer came from a request already parked with index > 0 before the change…
      const parked = reads.filter((r) => r.blocking);
      expect(parked.length).toBeGreaterThan(0);
      expect(parked[0]!.index).toBeGreaterThan(0);
      expect(parked[0]!.query.get('wait')).toMatch(/^\d+(ms|s)$/);
      // …so no new read was needed to see it (no poll cycle).
      const newReads = target.sim.requests
        .slice(requestsBefore)
        .filter((r) => r.path === `/v1/health/service/${name}`);
      expect(newReads.length).toBeLessThanOrEqual(1); // at most the next blocking request, issued after the event
    }
  });

  it('maps a health entry to an endpoint: address, port, weight, zone, tags, null-prototype meta', async () => {
    const name = uniqueName('map');
    await register(name, `${name}-1`, 7101, { tags: ['v1'] });
    const [e] = await registry.resolve(name);
    expect(e).toMatchObject({ id: `${name}-1`, host: '127.0.0.1', port: 7101, weight: 7, zone: 'eu-1a' });
    expect(e!.tags).toEqual(['v1']);
    expect(Object.getPrototypeOf(e!.meta)).toBeNull();
    expect(Object.getOwnPropertyDescriptor(e!.meta, '__proto__')?.value).toBe('p');
    expect(e!.meta!.constructor).toBe('c');
    expect(Object.isFrozen(e)).toBe(true);
    expect(({} as Record<string, unknown>).p).toBeUndefined();
  });

  it('a failing TTL check removes the endpoint; passing again brings it back', async () => {
    const name = uniqueName('ttl');
    const a = await register(name, `${name}-a`, 7201);
    await register(name, `${name}-b`, 7202);
    const rec = new Recorder(registry, name);
    await rec.until((s) => s.length === 2);
    await a.fail('disk full');
    expect(ids(await rec.until((s) => s.length === 1))).toEqual([`${name}-b`]);
    await a.pass();
    await rec.until((s) => s.length === 2);
  });

  it('warning instances are dropped by default and kept (with the warning weight) on request', async () => {
    const name = uniqueName('warn');
    const a = await register(name, `${name}-a`, 7301);
    await a.warn('slow disk');
    const withWarning = new ConsulRegistry({
      client: target.client(),
      includeWarning: true,
      minIntervalMs: 0,
    });
    try {
      await expect(registry.resolve(name)).rejects.toSatisfy(isNoEndpointsError);
      const [e] = await withWarning.resolve(name);
      expect(e).toMatchObject({ id: `${name}-a`, weight: 2 });
    } finally {
      await withWarning.close();
    }
  });

  it('deregistration removes the endpoint', async () => {
    const name = uniqueName('dereg');
    const a = await register(name, `${name}-a`, 7401);
    await register(name, `${name}-b`, 7402);
    const rec = new Recorder(registry, name);
    await rec.until((s) => s.length === 2);
    await a.close();
    expect(ids(await rec.until((s) => s.length === 1))).toEqual([`${name}-b`]);
  });

  it('filters by tag', async () => {
    const name = uniqueName('tag');
    await register(name, `${name}-a`, 7501, { tags: ['blue'] });
    await register(name, `${name}-b`, 7502, { tags: ['green'] });
    const blue = new ConsulRegistry({ client: target.client(), tags: ['blue'], minIntervalMs: 0 });
    try {
      expect(ids(await blue.resolve(name))).toEqual([`${name}-a`]);
    } finally {
      await blue.close();
    }
  });

  it('an unknown service resolves to NoEndpointsError and watches as an empty snapshot', async () => {
    const name = uniqueName('none');
    await expect(registry.resolve(name)).rejects.toSatisfy(isNoEndpointsError);
    const rec = new Recorder(registry, name);
    expect(await rec.until(() => true)).toEqual([]);
  });
});
