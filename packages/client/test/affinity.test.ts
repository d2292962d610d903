import { ConsecutiveFailures } from '@breakwater/breaker';
import { createHttpClient, type HttpClient } from '@breakwater/client';
import { StaticRegistry } from '@breakwater/discovery';
import { afterEach, describe, expect, it } from 'vitest';
import { startServers, TestClock, type TestServer, until } from './helpers/servers.js';

let servers: TestServer[] = [];
let client: HttpClient | undefined;

afterEach(async () => {
  await client?.close();
  client = undefined;
  await Promise.all(servers.map((s) => s.stop()));
  servers = [];
});

function registry(list: readonly TestServer[]): StaticRegistry {
  return new StaticRegistry({ cart: list.map((s) => ({ host: '127.0.0.1', port: s.port, id: s.name })) });
}

async function serverFor(c: HttpClient, user: string | undefined): Promise<string> {
  const res = await c.request('cart', {
    path: '/carts',
    headers: user === undefined ? {} : { 'X-User-Id': user },
  });
  await res.body.dump();
  return String(res.headers['x-server']);
}

describe('hashKey (affinity by header)', () => {
  for (const policy of ['ring-hash', 'maglev'] as const) {
    it(`${policy}: the same key always reaches the same instance, and keys spread over all of them`, async () => {
      servers = await startServers(3);
      client = createHttpClient({
        registry: registry(servers),
        services: { cart: { balancer: { policy }, hashKey: { header: 'x-user-id' } } },
      });
      const owner = new Map<string, string>();
      for (let round = 0; round < 3; round++) {
        for (let u = 0; u < 30; u++) {
          const user = `user-${u}`;
          const s = await serverFor(client, user);
          if (round === 0) owner.set(user, s);
          else expect(s).toBe(owner.get(user));
        }
      }
      expect(new Set(owner.values()).size).toBe(3);
    });
  }

  it('a retry leaves the key’s failing instance for another one', async () => {
    servers = await startServers(3);
    client = createHttpClient({
      registry: registry(servers),
      services: {
        cart: { balancer: { policy: 'ring-hash' }, hashKey: { header: 'x-user-id' }, endpointBreaker: false },
      },
    });
    const home = await serverFor(client, 'alice');
    const failing = servers.find((s) => s.name === home)!;
    failing.fault = { kind: 'status', status: 503 };
    const before = failing.seen.length;
    const s = await serverFor(client, 'alice');
    expect(s).not.toBe(home);
    expect(failing.seen.length).toBe(before + 1);
  });

  it('a key whose instance’s breaker refuses (half-open, probe taken) goes to another instance', async () => {
    servers = await startServers(3);
    const clock = new TestClock();
    client = createHttpClient({
      registry: registry(servers),
      clock,
      services: {
        cart: {
          balancer: { policy: 'ring-hash', outlierDetection: false },
          hashKey: { header: 'x-user-id' },
          retry: false,
          serviceBreaker: false,
          pool: { drainTimeoutMs: 50 },
          endpointBreaker: {
            strategy: () => new ConsecutiveFailures({ threshold: 1 }),
            openDurationMs: 1_000,
          },
        },
      },
    });
    const home = await serverFor(client, 'bob');
    const failing = servers.find((s) => s.name === home)!;
    failing.fault = { kind: 'status', status: 503 };
    expect(await serverFor(client, 'bob')).toBe(home); // the 503 opens its breaker
    // Open time over: the next keyed call is the half-open probe, and it hangs, so the breaker
    // refuses everything else meanwhile — those calls must not fail with circuit-open.
    failing.fault = { kind: 'hang' };
    clock.advance(1_001);
    const probe = serverFor(client, 'bob').catch(() => 'aborted');
    await until(() => failing.seen.length >= 3, 5_000, 'the probe to arrive');
    expect(await serverFor(client, 'bob')).not.toBe(home);
    await client.close();
    client = undefined;
    expect(await probe).toBe('aborted');
  });

  it('without the header, calls are spread as without a key', async () => {
    servers = await startServers(3);
    client = createHttpClient({
      registry: registry(servers),
      services: { cart: { balancer: { policy: 'ring-hash' }, hashKey: { header: 'x-user-id' } } },
    });
    const seen = new Set<string>();
    for (let i = 0; i < 60 && seen.size < 3; i++) seen.add(await serverFor(client, undefined));
    expect(seen.size).toBe(3);
  });

  it('is refused with a clear error on a balancer that does not hash, or with a bad header name', () => {
    const r = new StaticRegistry({ cart: ['127.0.0.1:1'] });
    expect(() =>
      createHttpClient({ registry: r, services: { cart: { hashKey: { header: 'x-user-id' } } } }),
    ).toThrow(
      /services\.cart\.hashKey needs a hashing balancer policy \(ring-hash or maglev\), got peak-ewma/,
    );
    expect(() =>
      createHttpClient({
        registry: r,
        services: { cart: { balancer: { policy: 'maglev' }, hashKey: { header: 'bad header' } } },
      }),
    ).toThrow(/services\.cart\.hashKey\.header must be an HTTP header name/);
  });
});
