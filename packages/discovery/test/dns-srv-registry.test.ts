import {
  DnsSrvRegistry,
  type DnsSrvRegistryOptions,
  isNoEndpointsError,
  isRegistryClosedError,
  isRegistryUnavailableError,
  type Snapshot,
} from '@breakwater/discovery';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, ids, Recorder } from './helpers.js';
import { Dnsmasq, type DnsZone } from './servers/dnsmasq.js';

// Kubernetes naming: _<port>._<proto>.<service>.<namespace>.svc.cluster.local
const srv = (service: string) => `_http._tcp.${service}.default.svc.cluster.local`;
const pod = (name: string) => `${name}.api.default.svc.cluster.local`;

const ZONE: DnsZone = {
  ttl: 1,
  srv: [
    { name: srv('api'), target: pod('a'), port: 8080, priority: 10, weight: 5 },
    { name: srv('api'), target: pod('b'), port: 8081, priority: 10, weight: 1 },
    { name: srv('api'), target: pod('c'), port: 9090, priority: 20, weight: 0 },
  ],
  hosts: { [pod('a')]: ['10.0.0.1'], [pod('b')]: ['10.0.0.2', 'fd00::2'], [pod('c')]: ['10.0.0.3'] },
};

let server: Dnsmasq;
beforeAll(async () => {
  server = await Dnsmasq.start(ZONE);
});
afterAll(async () => {
  await server?.close();
});

function registry(extra: DnsSrvRegistryOptions = {}): DnsSrvRegistry {
  return new DnsSrvRegistry({
    servers: [server.address],
    srvName: srv,
    timeoutMs: 200,
    tries: 1,
    minTtlMs: 50,
    maxTtlMs: 1_000,
    backoff: { initialMs: 20, maxMs: 200 },
    ...extra,
  });
}

const summary = (s: Snapshot) => s.map((e) => `${e.id} w${e.weight} ${e.meta?.target}`);

describe('DnsSrvRegistry against dnsmasq', () => {
  it('resolves SRV then A/AAAA: lowest priority group only, SRV weights, one endpoint per address', async () => {
    await server.setZone(ZONE);
    await using reg = registry();
    const s = await reg.resolve('api');
    expect(summary(s)).toEqual([
      `10.0.0.1:8080 w5 ${pod('a')}`,
      `10.0.0.2:8081 w1 ${pod('b')}`,
      `[fd00::2]:8081 w1 ${pod('b')}`,
    ]);
    expect(Object.isFrozen(s[0])).toBe(true);
    expect(Object.getPrototypeOf(s[0]!.meta)).toBeNull();
    expect(s[0]!.meta?.priority).toBe('10');
    // family 4 drops the AAAA answer
    await using v4 = registry({ family: 4 });
    expect(ids(await v4.resolve('api'))).toEqual(['10.0.0.1:8080', '10.0.0.2:8081']);
    // An unknown name under the authoritative domain: NXDOMAIN → no endpoints.
    await expect(reg.resolve('nope')).rejects.toSatisfy(isNoEndpointsError);
    // A name dnsmasq is not authoritative for (and has no upstream): REFUSED → unavailable, not empty.
    await using outside = registry({ srvName: (s) => `_http._tcp.${s}.example.org` });
    await expect(outside.resolve('api')).rejects.toSatisfy(isRegistryUnavailableError);
  });

  it('falls back to the next priority while the lowest group has no addresses; all-zero weights become 1', async () => {
    await server.setZone({ ...ZONE, hosts: { [pod('c')]: ['10.0.0.3'] } });
    await using reg = registry();
    expect(summary(await reg.resolve('api'))).toEqual([`10.0.0.3:9090 w1 ${pod('c')}`]);
  });

  it('a watcher follows record changes made while it watches (refreshed by TTL)', async () => {
    await server.setZone(ZONE);
    await using reg = registry();
    const rec = new Recorder(reg, 'api');
    await rec.until((s) => s.length === 3);
    await server.setZone({
      ...ZONE,
      srv: [
        { name: srv('api'), target: pod('a'), port: 8080, priority: 10, weight: 5 },
        { name: srv('api'), target: pod('d'), port: 8082, priority: 10, weight: 7 },
      ],
      hosts: { ...ZONE.hosts, [pod('d')]: ['10.0.0.4'] },
    });
    const next = await rec.until((s) => ids(s).includes('10.0.0.4:8082'), 10_000);
    expect(summary(next)).toEqual([`10.0.0.1:8080 w5 ${pod('a')}`, `10.0.0.4:8082 w7 ${pod('d')}`]);
    // A priority change is seen too: the new lowest group wins.
    await server.setZone({
      ...ZONE,
      srv: [
        { name: srv('api'), target: pod('a'), port: 8080, priority: 30, weight: 5 },
        { name: srv('api'), target: pod('c'), port: 9090, priority: 20, weight: 2 },
      ],
    });
    await rec.until((s) => ids(s).join() === '10.0.0.3:9090', 10_000);
    // Equal answers are not repeated: every snapshot differs from the one before.
    const snaps = rec.snapshots;
    for (let i = 1; i < snaps.length; i++) expect(ids(snaps[i]!)).not.toEqual(ids(snaps[i - 1]!));
    rec.dispose();
  });

  it('keeps the last good snapshot when the server dies, and resumes when it is back', async () => {
    await server.setZone(ZONE);
    await using reg = registry();
    const rec = new Recorder(reg, 'api');
    const good = await rec.until((s) => s.length === 3);
    await server.kill();
    const error = await rec.next((e) => e.type === 'error', 10_000);
    expect(error.type === 'error' && error.endpoints).toBe(good);
    expect(error.type === 'error' && isRegistryUnavailableError(error.error)).toBe(true);
    // resolve() serves the snapshot in force while the watch is degraded.
    expect(await reg.resolve('api')).toBe(good);
    const before = rec.snapshots.length;
    await server.restart();
    await server.setZone({ ...ZONE, hosts: { ...ZONE.hosts, [pod('a')]: ['10.0.0.9'] } });
    await rec.until((s) => ids(s).includes('10.0.0.9:8080'), 10_000);
    expect(rec.snapshots.length).toBe(before + 1);
    rec.dispose();
  });

  it('an authoritative "no such name" after a good snapshot publishes an empty one (scale to zero)', async () => {
    await server.setZone(ZONE);
    await using reg = registry();
    const rec = new Recorder(reg, 'api');
    await rec.until((s) => s.length === 3);
    await server.setZone({ ...ZONE, srv: [] });
    const empty = await rec.until((s) => s.length === 0, 10_000);
    expect(empty).toEqual([]);
    expect(rec.errors).toEqual([]);
    await expect(reg.resolve('api')).rejects.toSatisfy(isNoEndpointsError);
    rec.dispose();
  });

  it('one refresh loop per service however many listeners; close() leaves no timer, query or watch', async () => {
    await server.setZone(ZONE);
    const timers0 = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const reg = registry({ minTtlMs: 60_000, maxTtlMs: 60_000 });
    const a = new Recorder(reg, 'api');
    const b = new Recorder(reg, 'api');
    const c = new Recorder(reg, 'other');
    await a.until((s) => s.length === 3);
    await b.until((s) => s.length === 3);
    await c.until(() => true);
    expect(reg.activeWatches).toBe(2);
    a.dispose();
    expect(reg.activeWatches).toBe(2);
    c.dispose();
    await eventually(() => reg.activeWatches === 1, 5_000, 'the "other" loop to stop');
    await reg.close();
    expect(reg.activeWatches).toBe(0);
    await eventually(
      () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length <= timers0,
      5_000,
      'timers to clear',
    );
    expect(process.getActiveResourcesInfo().filter((r) => r === 'QueryReqWrap')).toEqual([]);
    expect(() => reg.watch('api', () => {})).toThrow();
    await expect(reg.resolve('api')).rejects.toSatisfy(isRegistryClosedError);
  });

  it('refresh timers are unref’d: a watched registry does not keep the process alive', async () => {
    await server.setZone(ZONE);
    await using reg = registry({ minTtlMs: 60_000, maxTtlMs: 60_000 });
    const rec = new Recorder(reg, 'api');
    await rec.until((s) => s.length === 3);
    await eventually(() => !process.getActiveResourcesInfo().includes('QueryReqWrap'), 5_000, 'queries');
    // hasRef() of the pending refresh timer is not reachable; an unref'd timer is not listed as active.
    const active = process.getActiveResourcesInfo();
    const timersWhileWatching = active.filter((r) => r === 'Timeout').length;
    rec.dispose();
    await eventually(() => reg.activeWatches === 0, 5_000, 'the loop to stop');
    expect(process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length).toBe(timersWhileWatching);
  });
});
