// Consul mode against @breakwater/discovery's ConsulSimulator: backends started with a Consul
// address register themselves (HTTP check on /health; gRPC check for pricing) and deregister on
// close; a frontend with BREAKWATER_REGISTRY=consul finds them.
import { ConsulSimulator } from '@breakwater/discovery/testkit';
import type { Agent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { probe, probeAgent } from '../src/lib/http-probe.js';
import { PRODUCTS } from '../src/lib/products.js';
import { startCart } from '../src/services/cart.js';
import { startCatalog } from '../src/services/catalog.js';
import { startFrontend } from '../src/services/frontend.js';
import { startPricing } from '../src/services/pricing.js';

let sim: ConsulSimulator;
let agent: Agent;
const open: { close(): Promise<void> }[] = [];

beforeEach(async () => {
  sim = await ConsulSimulator.start();
  agent = probeAgent();
});
afterEach(async () => {
  // Frontend first (its registry watches the simulator), then the backends, then Consul.
  for (const s of open.splice(0).reverse()) await s.close();
  await agent.close();
  await sim.close();
});

const quiet = { log: () => {}, drainTimeoutMs: 200 };

describe('Consul mode', () => {
  it('a backend registers itself with its check and deregisters on close', async () => {
    const catalog = await startCatalog({ ...quiet, consulAddress: sim.address, instance: 'catalog-c1' });
    open.push(catalog);
    const pricing = await startPricing({ ...quiet, consulAddress: sim.address, instance: 'pricing-c1' });
    open.push(pricing);
    expect(sim.state.services.get('catalog-c1')).toMatchObject({
      Service: 'catalog',
      Address: '127.0.0.1',
      Port: catalog.port,
    });
    expect(sim.state.checks.get('service:catalog-c1')).toMatchObject({
      Type: 'http',
      ServiceID: 'catalog-c1',
    });
    expect(sim.state.services.get('pricing-c1')).toMatchObject({
      Service: 'pricing',
      Port: pricing.port,
      Meta: { adminPort: String(pricing.adminPort) },
    });
    expect(sim.state.checks.get('service:pricing-c1')).toMatchObject({ Type: 'grpc' });
    await catalog.close();
    expect(sim.state.services.has('catalog-c1')).toBe(false);
    expect(sim.state.checks.has('service:catalog-c1')).toBe(false);
    expect(sim.state.services.has('pricing-c1')).toBe(true);
  });

  it('a frontend with BREAKWATER_REGISTRY=consul finds the registered backends', async () => {
    for (const [start, id] of [
      [startCatalog, 'catalog-c1'],
      [startCart, 'cart-c1'],
      [startPricing, 'pricing-c1'],
    ] as const) {
      open.push(await start({ ...quiet, consulAddress: sim.address, instance: id }));
      // The simulator does not run HTTP/gRPC checks: play the agent's probe result.
      sim.setCheckStatus(`service:${id}`, 'passing');
    }
    const frontend = await startFrontend({
      ...quiet,
      env: { BREAKWATER_REGISTRY: 'consul', CONSUL_HTTP_ADDR: sim.address },
    });
    open.push(frontend);
    const base = `http://127.0.0.1:${frontend.port}`;
    const products = await probe(agent, `${base}/api/products`);
    expect(products.status).toBe(200);
    expect(products.headers['x-shop-degraded']).toBeUndefined();
    expect(products.json<{ price: unknown }[]>()).toHaveLength(10);
    expect(products.json<{ price: unknown }[]>().every((p) => p.price !== null)).toBe(true);
    const add = await probe(agent, `${base}/api/cart/cora/items`, {
      method: 'POST',
      body: { productId: PRODUCTS[4]!.id, quantity: 1 },
    });
    expect(add.status).toBe(200);
    // The registry asked Consul for passing instances only.
    expect(
      sim.requests.some((r) => /\/v1\/health\/service\/catalog/.test(r.url) && /passing/.test(r.url)),
    ).toBe(true);
  });
});
