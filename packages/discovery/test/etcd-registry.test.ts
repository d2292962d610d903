import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  EtcdRegistry,
  isInvalidConfigError,
  isNoEndpointsError,
  isRegistryClosedError,
  isRegistryUnavailableError,
  registerEtcdService,
} from '@breakwater/discovery';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, ids, Recorder } from './helpers.js';
import { killChild, waitForLine } from './servers/child.js';
import { EtcdServer } from './servers/etcd.js';
import { TcpProxy } from './servers/tcp-proxy.js';

type CompactApi = { kv: { compact(r: { revision: string; physical: boolean }): Promise<unknown> } };

let server: EtcdServer;
let admin: Etcd3;
const children: ReturnType<typeof spawn>[] = [];

beforeAll(async () => {
  server = await EtcdServer.start();
  admin = new Etcd3({ hosts: server.endpoint });
});
afterAll(async () => {
  for (const c of children) await killChild(c);
  admin?.close();
  await server?.close();
});

let n = 0;
const unique = (prefix: string) => `${prefix}-${++n}`;
const put = (service: string, id: string, value: unknown, prefix = '/services/') =>
  admin.put(`${prefix}${service}/${id}`).value(typeof value === 'string' ? value : JSON.stringify(value));

describe('EtcdRegistry against etcd', () => {
  it('reads the initial range, then follows puts, updates and deletes', async () => {
    const svc = unique('api');
    await put(svc, 'a', {
      host: '10.0.0.1',
      port: 80,
      weight: 2,
      zone: 'z1',
      tags: ['v1'],
      meta: { team: 'x' },
    });
    await using reg = new EtcdRegistry({ hosts: server.endpoint });
    const rec = new Recorder(reg, svc);
    const first = await rec.until((s) => s.length === 1);
    expect(first[0]).toEqual({
      id: 'a',
      host: '10.0.0.1',
      port: 80,
      weight: 2,
      zone: 'z1',
      tags: ['v1'],
      meta: expect.objectContaining({ team: 'x' }),
    });
    await put(svc, 'b', { host: '10.0.0.2', port: 81 });
    await rec.until((s) => ids(s).join() === 'a,b');
    await put(svc, 'a', { host: '10.0.0.1', port: 8080 });
    await rec.until((s) => s[0]!.port === 8080);
    await admin.delete().key(`/services/${svc}/b`);
    await rec.until((s) => ids(s).join() === 'a');
    // A sibling service with a common name prefix is not mixed in.
    await put(`${svc}x`, 'z', { host: '10.0.0.9', port: 1 });
    await put(svc, 'c', { host: '10.0.0.3', port: 82 });
    const last = await rec.until((s) => ids(s).join() === 'a,c');
    expect(last.map((e) => e.host)).toEqual(['10.0.0.1', '10.0.0.3']);
    expect(await reg.resolve(svc)).toBe(last);
    rec.dispose();
  });

  it('does not miss a change made between the range read and the watch (watch from revision + 1)', async () => {
    const svc = unique('race');
    // Many writes racing with the start of the watch: the final state must always be reached.
    await using reg = new EtcdRegistry({ hosts: server.endpoint });
    const writes = (async () => {
      for (let i = 0; i < 30; i++) await put(svc, `i${i}`, { host: '10.0.1.1', port: 1000 + i });
    })();
    const rec = new Recorder(reg, svc);
    await writes;
    await rec.until((s) => s.length === 30, 10_000);
    rec.dispose();
  });

  it('skips bad values with an error event, never throws, and keeps meta off prototypes', async () => {
    const svc = unique('bad');
    await put(svc, 'good', '{"host":"10.0.0.1","port":80,"meta":{"__proto__":"x","constructor":"y"}}');
    await put(svc, 'json', '{not json');
    await using reg = new EtcdRegistry({ hosts: server.endpoint });
    const rec = new Recorder(reg, svc);
    const s = await rec.until((x) => x.length === 1);
    const meta = s[0]!.meta!;
    expect(Object.getPrototypeOf(meta)).toBeNull();
    expect(Object.keys(meta).sort()).toEqual(['__proto__', 'constructor']);
    expect(meta.constructor).toBe('y');
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    await eventually(() => rec.errors.some(isInvalidConfigError), 5_000, 'an invalid-value error');
    // A later bad put of an existing key drops that instance and reports it.
    const errorsBefore = rec.errors.length;
    await put(svc, 'good', { host: '10.0.0.1', port: 'eighty' });
    await rec.until((x) => x.length === 0);
    await eventually(() => rec.errors.length > errorsBefore, 5_000, 'a second error');
    expect(rec.errors.at(-1)!.message).toMatch(/port must be a number/);
    await expect(reg.resolve(svc)).rejects.toSatisfy(isNoEndpointsError);
    rec.dispose();
  });

  it('self-registration: appears with a lease, close() revokes it at once', async () => {
    const svc = unique('self');
    await using reg = new EtcdRegistry({ hosts: server.endpoint });
    const rec = new Recorder(reg, svc);
    await rec.until((s) => s.length === 0);
    const registration = await registerEtcdService({
      client: admin,
      service: svc,
      id: 'me',
      host: '127.0.0.1',
      port: 7000,
      weight: 3,
      ttlSeconds: 30,
    });
    expect(registration.key).toBe(`/services/${svc}/me`);
    expect(registration.leaseId).toMatch(/^\d+$/);
    const s = await rec.until((x) => x.length === 1);
    expect(s[0]).toMatchObject({ id: 'me', host: '127.0.0.1', port: 7000, weight: 3 });
    await registration.close();
    await rec.until((x) => x.length === 0);
    // The shared client stays usable.
    expect(await admin.get('nothing').string()).toBeNull();
    rec.dispose();
  });

  it('a registering process that dies disappears when its lease expires', async () => {
    const svc = unique('child');
    await using reg = new EtcdRegistry({ hosts: server.endpoint });
    const rec = new Recorder(reg, svc);
    const child = spawn(
      process.execPath,
      [
        '--conditions=breakwater-source',
        '--import',
        'tsx',
        fileURLToPath(new URL('./servers/etcd-register-child.ts', import.meta.url)),
        server.endpoint,
        svc,
        'worker-1',
        '7100',
        '2',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    children.push(child);
    await waitForLine(child, /^registered \d+/, 20_000, 'the child to register');
    await rec.until((s) => ids(s).join() === 'worker-1');
    await killChild(child); // SIGKILL: no revoke, no goodbye; only the lease TTL removes it
    // The key outlives the process until its lease expires (2 s after the last keep-alive)…
    expect(await admin.get(`/services/${svc}/worker-1`).string()).toContain('7100');
    // …then etcd deletes it and the watcher sees the instance go.
    await rec.until((s) => s.length === 0, 15_000);
    expect(await admin.get(`/services/${svc}/worker-1`).string()).toBeNull();
    rec.dispose();
  });

  it('rejects invalid options, naming them', () => {
    expect(() => new EtcdRegistry({ prefix: '' })).toThrow(/prefix/);
    expect(() => new EtcdRegistry({ hosts: [] })).toThrow(/hosts/);
    expect(() => new EtcdRegistry({ client: admin, hosts: 'x' })).toThrow(/hosts/);
    expect(() => new EtcdRegistry({ backoff: { initialMs: -1 } })).toThrow(/backoff.initialMs/);
    return expect(
      registerEtcdService({ client: admin, service: 's', id: 'i', host: 'h', port: 1, ttlSeconds: 0.5 }),
    ).rejects.toThrow(/ttlSeconds/);
  });

  it('close() cancels the watches, closes the owned client and leaves no handles', async () => {
    const svc = unique('close');
    await put(svc, 'a', { host: '10.0.0.1', port: 80 });
    const before = process.getActiveResourcesInfo().length;
    const reg = new EtcdRegistry({ hosts: server.endpoint });
    const a = new Recorder(reg, svc);
    const b = new Recorder(reg, svc);
    const c = new Recorder(reg, `${svc}-other`);
    await a.until((s) => s.length === 1);
    await b.until((s) => s.length === 1);
    await c.until(() => true);
    expect(reg.activeWatches).toBe(2);
    expect(process.getActiveResourcesInfo().length).toBeGreaterThan(before);
    await reg.close();
    expect(reg.activeWatches).toBe(0);
    await eventually(
      () => process.getActiveResourcesInfo().length <= before,
      5_000,
      `handles to go (${process.getActiveResourcesInfo().join(', ')})`,
    );
    expect(() => reg.watch(svc, () => {})).toThrow();
    await expect(reg.resolve(svc)).rejects.toSatisfy(isRegistryClosedError);
  });
});

describe('EtcdRegistry when etcd dies and comes back', () => {
  it('keeps the last good snapshot with an error event, then resumes and sees changes made after the restart', async () => {
    const svc = unique('crash');
    await put(svc, 'a', { host: '10.0.0.1', port: 80 });
    await using reg = new EtcdRegistry({ hosts: server.endpoint, backoff: { initialMs: 50, maxMs: 500 } });
    const rec = new Recorder(reg, svc);
    const good = await rec.until((s) => s.length === 1);
    await server.kill();
    const error = await rec.next((e) => e.type === 'error', 15_000);
    expect(error.type === 'error' && error.endpoints).toBe(good);
    expect(error.type === 'error' && isRegistryUnavailableError(error.error)).toBe(true);
    expect(await reg.resolve(svc)).toBe(good);
    await server.restart();
    // The admin client reconnects too; writes after the restart reach the watcher.
    await eventually(
      async () => {
        await put(svc, 'b', { host: '10.0.0.2', port: 81 });
        return true;
      },
      15_000,
      'a put',
    );
    await rec.until((s) => ids(s).join() === 'a,b', 20_000);
    await admin.delete().key(`/services/${svc}/a`);
    await rec.until((s) => ids(s).join() === 'b', 10_000);
    rec.dispose();
  });

  it('a watch started while etcd is unreachable reports errors (no snapshot yet) and starts when it is back', async () => {
    const svc = unique('late');
    await put(svc, 'a', { host: '10.0.0.1', port: 80 });
    const proxy = await TcpProxy.start(Number(new URL(server.endpoint).port));
    proxy.cut();
    const reg = new EtcdRegistry({
      hosts: `http://127.0.0.1:${proxy.port}`,
      backoff: { initialMs: 20, maxMs: 200 },
      requestTimeoutMs: 1_000,
    });
    try {
      const rec = new Recorder(reg, svc);
      const error = await rec.next((e) => e.type === 'error', 15_000);
      expect(error.endpoints).toBeUndefined();
      expect(rec.snapshots).toEqual([]);
      proxy.restore();
      await rec.until((s) => ids(s).join() === 'a', 20_000);
      rec.dispose();
    } finally {
      await reg.close();
      await proxy.close();
    }
  });

  it('re-reads and re-watches when the revision it would resume from has been compacted away', async () => {
    const svc = unique('compact');
    await put(svc, 'a', { host: '10.0.0.1', port: 80 });
    // The registry reaches etcd through a proxy the test can cut, so the compaction surely happens
    // while its watch is away.
    const proxy = await TcpProxy.start(Number(new URL(server.endpoint).port));
    const warnings: string[] = [];
    const logger = {
      debug() {},
      warn: (_m: string, f?: Readonly<Record<string, unknown>>) => warnings.push(String(f?.error)),
    };
    const reg = new EtcdRegistry({
      hosts: `http://127.0.0.1:${proxy.port}`,
      backoff: { initialMs: 20, maxMs: 100 },
      logger,
    });
    try {
      const rec = new Recorder(reg, svc);
      await rec.until((s) => s.length === 1);
      proxy.cut();
      await rec.nextError(15_000);
      await put(svc, 'b', { host: '10.0.0.2', port: 81 });
      await admin.delete().key(`/services/${svc}/a`);
      const rev = (await admin.get('x').exec()).header.revision;
      await (admin as unknown as CompactApi).kv.compact({ revision: rev, physical: true });
      proxy.restore();
      await rec.until((s) => ids(s).join() === 'b', 20_000);
      expect(warnings.some((w) => /compact/i.test(w))).toBe(true);
      rec.dispose();
    } finally {
      await reg.close();
      await proxy.close();
    }
  });
});
