// The frontend under the launcher's kind of chaos, on its own in-process shop (breaker and
// ejection state must not leak between scenarios): an instance crashes under load and comes back
// on the same port.
import type { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpBackend } from '../src/lib/http-backend.js';
import { probe, probeAgent } from '../src/lib/http-probe.js';
import { type LocalShop, startLocalShop } from '../src/lib/local-shop.js';
import { startCatalog } from '../src/services/catalog.js';

let shop: LocalShop;
let agent: Agent;
const restarted: HttpBackend[] = [];

beforeAll(async () => {
  shop = await startLocalShop({ instances: 3 });
  agent = probeAgent();
});
afterAll(async () => {
  for (const r of restarted) await r.close();
  await shop?.close();
  await agent?.close();
});

describe('chaos', () => {
  it('survives a catalog instance crash under load, and the instance coming back on the same port', async () => {
    const victim = shop.catalog[2]!;
    const load = (n: number) =>
      Promise.all(Array.from({ length: n }, () => probe(agent, `${shop.url}/api/products`)));
    expect((await load(10)).every((r) => r.status === 200)).toBe(true);
    const during = load(20);
    await victim.kill(); // connections reset, the port refuses
    const after = await load(20);
    for (const r of [...(await during), ...after]) expect(r.status).toBe(200);
    // Restarted on the same port, as the launcher does.
    const back = await startCatalog({
      log: () => {},
      drainTimeoutMs: 200,
      port: victim.port,
      instance: 'catalog-3b',
    });
    restarted.push(back);
    expect(back.port).toBe(victim.port);
    expect((await load(20)).every((r) => r.status === 200)).toBe(true);
    expect((await probe(agent, `http://127.0.0.1:${back.port}/health`)).json()).toEqual({
      status: 'ok',
      instance: 'catalog-3b',
    });
  });

  it('keeps prices when a pricing instance crashes under load (gRPC retries on the others)', async () => {
    const load = (n: number) =>
      Promise.all(Array.from({ length: n }, () => probe(agent, `${shop.url}/api/products/${'OLJCESPC7Z'}`)));
    expect((await load(10)).every((r) => r.status === 200)).toBe(true);
    const during = load(20);
    await shop.pricing[0]!.kill();
    const after = await load(20);
    for (const r of [...(await during), ...after]) {
      expect(r.status).toBe(200);
      expect(r.headers['x-shop-degraded']).toBeUndefined();
      expect(r.json<{ price: unknown }>().price).not.toBeNull();
    }
  });
});
