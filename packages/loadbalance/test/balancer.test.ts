import {
  Balancer,
  type EjectionEvent,
  isNoEndpointsError,
  NoEndpointsError,
  outcomeFromStatus,
  type Picker,
} from '@breakwater/loadbalance';
import { describe, expect, it } from 'vitest';
import { endpoints, ManualClock, seededRandom } from './helpers.js';

describe('Balancer', () => {
  it('fails with no-endpoints before the first snapshot and for an empty one', () => {
    const b = new Balancer();
    expect(b.pick()).toEqual({ type: 'fail', reason: 'no-endpoints' });
    b.update([]);
    expect(b.pick()).toEqual({ type: 'fail', reason: 'no-endpoints' });
  });

  it('publishes a new immutable picker on every update and picks from the snapshot', () => {
    const b = new Balancer({ policy: 'round-robin', random: seededRandom(1) });
    const published: Picker[] = [];
    b.on('picker', (p) => published.push(p));
    b.update(endpoints(3));
    const first = b.picker;
    expect(Object.isFrozen(first.endpoints)).toBe(true);
    const ids = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const r = b.pick();
      if (r.type !== 'pick') throw new Error('expected a pick');
      ids.add(r.endpoint.id);
    }
    expect([...ids].sort()).toEqual(['e0', 'e1', 'e2']);
    b.update(endpoints(2));
    expect(b.picker).not.toBe(first);
    expect(first.endpoints.map((e) => e.id)).toEqual(['e0', 'e1', 'e2']);
    expect(published).toHaveLength(2);
  });

  it('keeps in-flight counts and latency estimates for endpoints that stay, drops them for others', () => {
    const clock = new ManualClock();
    const b = new Balancer({ policy: 'least-request', clock, random: seededRandom(2) });
    b.update(endpoints(2));
    const r = b.pick();
    if (r.type !== 'pick') throw new Error('expected a pick');
    r.start();
    r.start();
    r.done(100, 'success');
    const id = r.endpoint.id;
    b.update([...endpoints(3)].reverse());
    const stat = b.stats().find((s) => s.endpoint.id === id)!;
    expect(stat.inflight).toBe(1);
    expect(stat.latencyMs).toBe(100);
    b.update(endpoints(3).filter((e) => e.id !== id));
    b.update(endpoints(3));
    expect(b.stats().find((s) => s.endpoint.id === id)!.inflight).toBe(0);
  });

  it('a departed endpoint still in flight never touches the load of the endpoint that reuses its slot', () => {
    const b = new Balancer({ policy: 'least-request', clock: new ManualClock(), random: seededRandom(5) });
    b.update(endpoints(20));
    const old = b.handle('e7')!;
    old.start();
    old.start();
    b.update(endpoints(20).filter((e) => e.id !== 'e7'));
    b.update([...endpoints(20).filter((e) => e.id !== 'e7'), { id: 'new', host: 'h', port: 1 }]);
    const fresh = b.handle('new')!;
    fresh.start();
    old.done(3);
    old.done(3);
    old.done(3);
    expect(fresh.inflight).toBe(1);
    expect(old.inflight).toBe(0);
    expect(b.stats().find((s) => s.endpoint.id === 'new')).toMatchObject({ inflight: 1, latencyMs: 30 });
  });

  it('returns the same handle for every pick of an endpoint (no allocation per pick)', () => {
    const b = new Balancer({ policy: 'round-robin', random: seededRandom(3) });
    b.update(endpoints(1));
    expect(b.pick()).toBe(b.pick());
  });

  it('handle(id) is the handle picks return; unknown ids give undefined', () => {
    const b = new Balancer({ policy: 'round-robin', random: seededRandom(3) });
    b.update(endpoints(1));
    expect(b.handle('e0')).toBe(b.pick());
    expect(b.handle('zz')).toBeUndefined();
  });

  it('replaces endpoint data for a kept id', () => {
    const b = new Balancer({ policy: 'round-robin' });
    b.update([{ id: 'a', host: 'h1', port: 1 }]);
    b.update([{ id: 'a', host: 'h2', port: 2 }]);
    const r = b.pick();
    expect(r.type === 'pick' && r.endpoint.host).toBe('h2');
  });

  it('setHealthy removes and restores an endpoint; with none healthy and panic off it fails', () => {
    const b = new Balancer({ policy: 'round-robin', panicThreshold: 0 });
    b.update(endpoints(2));
    expect(b.setHealthy('e0', false)).toBe(true);
    expect(b.setHealthy('nope', false)).toBe(false);
    for (let i = 0; i < 10; i++) {
      const r = b.pick();
      expect(r.type === 'pick' && r.endpoint.id).toBe('e1');
    }
    b.setHealthy('e1', false);
    expect(b.pick()).toEqual({ type: 'fail', reason: 'no-healthy-endpoints' });
    b.setHealthy('e0', true);
    expect(b.picker.healthy).toBe(1);
  });

  it('validates options, naming the option', () => {
    expect(() => new Balancer({ panicThreshold: 120 })).toThrow(/panicThreshold/);
    expect(() => new Balancer({ policy: 'nope' as never })).toThrow(RangeError);
    expect(() => new Balancer({ maglevTableSize: 65536 })).toThrow(/maglevTableSize/);
    expect(() => new Balancer({ decayTimeMs: 0 })).toThrow(/decayTimeMs/);
    expect(() => new Balancer({ failurePenalty: 0.5 })).toThrow(/failurePenalty/);
    expect(() => new Balancer({ ringReplicas: 0 })).toThrow(/ringReplicas/);
    expect(() => new Balancer({ clock: {} as never })).toThrow(TypeError);
    expect(() => new Balancer({ outlierDetection: { consecutive5xx: 0 } })).toThrow(
      /outlierDetection.consecutive5xx/,
    );
    expect(() => new Balancer({ outlierDetection: { maxEjectionPercent: 101 } })).toThrow(
      /maxEjectionPercent/,
    );
    expect(
      () => new Balancer({ outlierDetection: { baseEjectionTimeMs: 10, maxEjectionTimeMs: 5 } }),
    ).toThrow(/maxEjectionTimeMs/);
  });

  it('does not mutate its options', () => {
    const options = Object.freeze({
      policy: 'random' as const,
      outlierDetection: Object.freeze({ intervalMs: 5 }),
    });
    const b = new Balancer(options);
    expect(b.options.outlierDetection?.intervalMs).toBe(5);
    expect(b.options.outlierDetection?.consecutive5xx).toBe(5);
  });

  it('rejects malformed snapshots and keeps the previous one', () => {
    const b = new Balancer({ policy: 'round-robin' });
    b.update(endpoints(2));
    expect(() => b.update([...endpoints(2), { id: 'e0', host: 'x', port: 1 }])).toThrow(/unique/);
    expect(() => b.update([{ id: 'x', host: 'h', port: 70000 }])).toThrow(/port/);
    expect(() => b.update([{ id: 'x', host: 'h', port: 1, weight: 0 }])).toThrow(/weight/);
    expect(() => b.update([{ id: '', host: 'h', port: 1 }])).toThrow(/id/);
    expect(b.picker.total).toBe(2);
  });

  it('close() publishes a failing picker, drops listeners and ignores later updates', async () => {
    const b = new Balancer();
    b.update(endpoints(2));
    const seen: Picker[] = [];
    b.on('picker', (p) => seen.push(p));
    await b[Symbol.asyncDispose]();
    expect(b.pick()).toEqual({ type: 'fail', reason: 'closed' });
    expect(seen.at(-1)?.pick()).toEqual({ type: 'fail', reason: 'closed' });
    expect(b.listenerCount('picker')).toBe(0);
    b.update(endpoints(3));
    expect(b.pick()).toEqual({ type: 'fail', reason: 'closed' });
    b.close();
  });

  it('feedback after an endpoint left the snapshot is harmless', () => {
    const clock = new ManualClock();
    const b = new Balancer({ policy: 'round-robin', clock, outlierDetection: true });
    b.update(endpoints(1));
    const r = b.pick();
    if (r.type !== 'pick') throw new Error('expected a pick');
    r.start();
    b.update([]);
    const ejections: EjectionEvent[] = [];
    b.on('eject', (e) => ejections.push(e));
    for (let i = 0; i < 10; i++) r.done(5, 'error');
    expect(ejections).toHaveLength(0);
    expect(r.inflight).toBe(0);
  });
});

describe('outcomeFromStatus and errors', () => {
  it('maps statuses as Envoy classifies them', () => {
    expect(outcomeFromStatus(200)).toBe('success');
    expect(outcomeFromStatus(404)).toBe('success');
    expect(outcomeFromStatus(500)).toBe('error');
    expect(outcomeFromStatus(503)).toBe('gateway-error');
    expect(outcomeFromStatus(undefined)).toBe('local-origin-error');
  });

  it('NoEndpointsError has a stable code and works across copies via the brand', () => {
    const e = new NoEndpointsError('no-healthy-endpoints', 'users');
    expect(e.code).toBe('BREAKWATER_NO_ENDPOINTS');
    expect(e.message).toMatch(/users/);
    expect(e).toBeInstanceOf(NoEndpointsError);
    expect(isNoEndpointsError(e)).toBe(true);
    const foreign = Object.assign(new Error('x'), {
      code: 'BREAKWATER_NO_ENDPOINTS',
      [Symbol.for('breakwater.error')]: true,
    });
    expect(foreign instanceof NoEndpointsError).toBe(true);
    expect(isNoEndpointsError(new Error('x'))).toBe(false);
  });
});
