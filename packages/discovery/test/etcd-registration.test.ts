import { EtcdRegistry, registerEtcdService } from '@breakwater/discovery';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, Recorder } from './helpers.js';
import { EtcdServer } from './servers/etcd.js';
import { TcpProxy } from './servers/tcp-proxy.js';

let server: EtcdServer;
beforeAll(async () => {
  server = await EtcdServer.start();
});
afterAll(async () => {
  await server?.close();
});

describe('registerEtcdService', () => {
  it('re-registers under a new lease after losing its lease in a partition longer than the TTL', async () => {
    const proxy = await TcpProxy.start(Number(new URL(server.endpoint).port));
    await using reg = new EtcdRegistry({ hosts: server.endpoint });
    const rec = new Recorder(reg, 'lossy');
    await rec.until((s) => s.length === 0);
    const errors: Error[] = [];
    const registration = await registerEtcdService({
      hosts: `http://127.0.0.1:${proxy.port}`,
      service: 'lossy',
      id: 'i1',
      host: '127.0.0.1',
      port: 7200,
      ttlSeconds: 2,
      backoff: { initialMs: 50, maxMs: 200 },
      onError: (e) => errors.push(e),
    });
    try {
      const firstLease = registration.leaseId;
      await rec.until((s) => s.length === 1);
      proxy.cut();
      // etcd expires the lease: the key goes for every watcher.
      await rec.until((s) => s.length === 0, 15_000);
      proxy.restore();
      await rec.until((s) => s.length === 1, 20_000);
      await eventually(() => registration.grants === 2, 5_000, 'a second lease');
      expect(registration.leaseId).not.toBe(firstLease);
      expect(errors.length).toBeGreaterThan(0);
    } finally {
      await registration.close();
      await proxy.close();
    }
    // close() revoked the new lease: the key is gone at once (no TTL wait).
    await rec.until((s) => s.length === 0, 5_000);
    rec.dispose();
  });

  it('rejects when etcd cannot be reached, closing the client it created', async () => {
    const proxy = await TcpProxy.start(Number(new URL(server.endpoint).port));
    proxy.cut();
    const before = process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
    await expect(
      registerEtcdService({
        hosts: `http://127.0.0.1:${proxy.port}`,
        connection: { dialTimeout: 500 },
        service: 'never',
        id: 'x',
        host: '127.0.0.1',
        port: 1,
      }),
    ).rejects.toThrow();
    await proxy.close();
    await eventually(
      () => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length <= before,
      5_000,
      'sockets to close',
    );
  });

  it('validates its options', async () => {
    const client = new Etcd3({ hosts: server.endpoint });
    try {
      const base = { client, service: 's', id: 'i', host: '127.0.0.1', port: 80 };
      await expect(registerEtcdService({ ...base, service: 'a/b' })).rejects.toThrow(/service/);
      await expect(registerEtcdService({ ...base, id: '' })).rejects.toThrow(/id/);
      await expect(registerEtcdService({ ...base, port: 70_000 })).rejects.toThrow(/port/);
      await expect(registerEtcdService({ ...base, ttlSeconds: 0 })).rejects.toThrow(/ttlSeconds/);
      await expect(registerEtcdService({ ...base, weight: -1 })).rejects.toThrow(/weight/);
    } finally {
      client.close();
    }
  });
});
