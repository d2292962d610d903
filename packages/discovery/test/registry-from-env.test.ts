import {
  ConsulRegistry,
  DnsSrvRegistry,
  EtcdRegistry,
  InvalidConfigError,
  isInvalidConfigError,
  type Registry,
  registryFromEnv,
  StaticRegistry,
} from '@breakwater/discovery';
import { describe, expect, it } from 'vitest';
import { Dnsmasq } from './servers/dnsmasq.js';
import { EtcdServer } from './servers/etcd.js';

async function using<T extends Registry>(registry: T, fn: (r: T) => Promise<void> | void): Promise<void> {
  try {
    await fn(registry);
  } finally {
    await registry.close();
  }
}

function fails(env: Record<string, string>, variable: string): void {
  let error: unknown;
  try {
    registryFromEnv(env);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(InvalidConfigError);
  expect(isInvalidConfigError(error)).toBe(true);
  expect((error as Error).message).toContain(variable);
}

describe('registryFromEnv', () => {
  it('static is the default and reads BREAKWATER_STATIC_SERVICES (or BREAKWATER_ENDPOINTS)', async () => {
    await using(registryFromEnv({ BREAKWATER_STATIC_SERVICES: 'api=127.0.0.1:7001?weight=2' }), async (r) => {
      expect(r).toBeInstanceOf(StaticRegistry);
      expect(await r.resolve('api')).toEqual([
        { id: '127.0.0.1:7001', host: '127.0.0.1', port: 7001, weight: 2 },
      ]);
    });
    await using(
      registryFromEnv({ BREAKWATER_REGISTRY: 'static', BREAKWATER_ENDPOINTS: 'api=127.0.0.1:1' }),
      async (r) => expect((await r.resolve('api')).length).toBe(1),
    );
    fails({}, 'BREAKWATER_STATIC_SERVICES');
    fails({ BREAKWATER_STATIC_SERVICES: 'api=nope' }, 'BREAKWATER_STATIC_SERVICES');
  });

  it('consul reads the CONSUL_* variables', async () => {
    await using(
      registryFromEnv({ BREAKWATER_REGISTRY: 'consul', CONSUL_HTTP_ADDR: '127.0.0.1:18500' }),
      (r) => {
        expect(r).toBeInstanceOf(ConsulRegistry);
        expect((r as ConsulRegistry).client).toBeDefined();
      },
    );
    fails({ BREAKWATER_REGISTRY: 'consul', CONSUL_HTTP_ADDR: 'unix:///tmp/consul.sock' }, 'CONSUL_HTTP_ADDR');
  });

  it('dns reads BREAKWATER_DNS_SERVERS and BREAKWATER_DNS_SRV_TEMPLATE and resolves through them', async () => {
    const server = await Dnsmasq.start({
      srv: [{ name: '_http._tcp.api.default.svc.cluster.local', target: 'p1.cluster.local', port: 8080 }],
      hosts: { 'p1.cluster.local': ['10.2.0.1'] },
    });
    try {
      const env = {
        BREAKWATER_REGISTRY: 'dns',
        BREAKWATER_DNS_SERVERS: ` ${server.address} `,
        BREAKWATER_DNS_SRV_TEMPLATE: '_http._tcp.{service}.default.svc.cluster.local',
        BREAKWATER_DNS_MIN_TTL_MS: '100',
        BREAKWATER_DNS_MAX_TTL_MS: '5000',
      };
      await using(registryFromEnv(env), async (r) => {
        expect(r).toBeInstanceOf(DnsSrvRegistry);
        expect((r as DnsSrvRegistry).srvName('api')).toBe('_http._tcp.api.default.svc.cluster.local');
        expect((await r.resolve('api')).map((e) => e.id)).toEqual(['10.2.0.1:8080']);
      });
    } finally {
      await server.close();
    }
    fails({ BREAKWATER_REGISTRY: 'dns', BREAKWATER_DNS_SERVERS: 'dns.example' }, 'BREAKWATER_DNS_SERVERS');
    fails(
      { BREAKWATER_REGISTRY: 'dns', BREAKWATER_DNS_SRV_TEMPLATE: '_http._tcp.api' },
      'BREAKWATER_DNS_SRV_TEMPLATE',
    );
    fails({ BREAKWATER_REGISTRY: 'dns', BREAKWATER_DNS_MIN_TTL_MS: 'soon' }, 'BREAKWATER_DNS_MIN_TTL_MS');
    fails(
      { BREAKWATER_REGISTRY: 'dns', BREAKWATER_DNS_MIN_TTL_MS: '5000', BREAKWATER_DNS_MAX_TTL_MS: '10' },
      'BREAKWATER_DNS_MAX_TTL_MS',
    );
  });

  it('etcd reads ETCD_ENDPOINTS and BREAKWATER_ETCD_PREFIX and watches through them', async () => {
    const server = await EtcdServer.start();
    try {
      const { Etcd3 } = await import('etcd3');
      const admin = new Etcd3({ hosts: server.endpoint });
      await admin.put('/apps/prod/api/a').value(JSON.stringify({ host: '10.3.0.1', port: 9000 }));
      admin.close();
      const env = {
        BREAKWATER_REGISTRY: 'ETCD',
        ETCD_ENDPOINTS: ` ${server.endpoint}, `,
        BREAKWATER_ETCD_PREFIX: '/apps/prod/',
      };
      await using(registryFromEnv(env), async (r) => {
        expect(r).toBeInstanceOf(EtcdRegistry);
        expect((await r.resolve('api')).map((e) => e.host)).toEqual(['10.3.0.1']);
      });
    } finally {
      await server.close();
    }
    fails({ BREAKWATER_REGISTRY: 'etcd', ETCD_ENDPOINTS: 'not a url' }, 'ETCD_ENDPOINTS');
    fails({ BREAKWATER_REGISTRY: 'etcd', ETCD_ENDPOINTS: ',' }, 'ETCD_ENDPOINTS');
    fails({ BREAKWATER_REGISTRY: 'etcd', BREAKWATER_ETCD_PREFIX: '/no-slash' }, 'BREAKWATER_ETCD_PREFIX');
  });

  it('rejects an unknown registry kind, naming BREAKWATER_REGISTRY', () => {
    fails({ BREAKWATER_REGISTRY: 'zookeeper' }, 'BREAKWATER_REGISTRY');
  });
});
