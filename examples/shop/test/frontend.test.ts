// The whole shop in-process (3 instances of each backend + the Express frontend over a
// StaticRegistry), over real sockets: the user-facing API, degradation, routing around faults,
// the non-retried POST, trace context across HTTP and gRPC, health, metrics and the dashboard.
import type { Agent } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { probe, probeAgent } from '../src/lib/http-probe.js';
import { type LocalShop, startLocalShop } from '../src/lib/local-shop.js';
import { PRODUCTS } from '../src/lib/products.js';

let shop: LocalShop;
let agent: Agent;
const lines: string[] = [];

interface LogLine {
  service: string;
  instance: string;
  msg: string;
  trace_id?: string;
  span_id?: string;
  [k: string]: unknown;
}
const logs = (): LogLine[] => lines.map((l) => JSON.parse(l) as LogLine);

interface ApiProduct {
  id: string;
  name: string;
  price: { units: number; nanos: number; currency: string } | null;
}

const WATCHED = ['TCPServerWrap', 'TCPSocketWrap', 'Timeout'];
const handles = () => process.getActiveResourcesInfo().filter((r) => WATCHED.includes(r)).length;
let baseline = 0;

beforeAll(async () => {
  baseline = handles();
  shop = await startLocalShop({ instances: 3, log: (l) => lines.push(l) });
  agent = probeAgent();
});
afterAll(async () => {
  await shop?.close();
  await agent?.close();
  // Nothing left: no listener, socket or timer (grpc-js closes its listeners a moment after
  // tryShutdown calls back, so poll with a deadline).
  const deadline = performance.now() + 5_000;
  while (handles() > baseline && performance.now() < deadline) await new Promise((r) => setImmediate(r));
  expect(handles()).toBeLessThanOrEqual(baseline);
});

const api = (path: string) => `${shop.url}${path}`;

async function setFaults(adminPort: number, faults: unknown): Promise<void> {
  const r = await probe(agent, `http://127.0.0.1:${adminPort}/admin/faults`, {
    method: 'POST',
    body: faults,
  });
  expect(r.status).toBe(200);
}

async function faultStats(adminPort: number): Promise<{ requests?: number; calls?: number; errors: number }> {
  return (await probe(agent, `http://127.0.0.1:${adminPort}/admin/faults`)).json<{
    stats: { requests?: number; calls?: number; errors: number };
  }>().stats;
}

describe('the shop', () => {
  beforeEach(async () => {
    // Every test starts without faults.
    for (const s of [...shop.catalog, ...shop.cart, ...shop.pricing]) await setFaults(s.adminPort, {});
  });

  it('serves the page, products with prices in the asked currency, and one product', async () => {
    const page = await probe(agent, api('/'));
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.text).toContain('Breakwater shop');

    const usd = await probe(agent, api('/api/products'));
    expect(usd.status).toBe(200);
    expect(usd.headers['x-shop-degraded']).toBeUndefined();
    const products = usd.json<ApiProduct[]>();
    expect(products.map((p) => p.id)).toEqual(PRODUCTS.map((p) => p.id));
    expect(products[0]).toMatchObject({
      id: PRODUCTS[0]!.id,
      name: PRODUCTS[0]!.name,
      description: PRODUCTS[0]!.description,
      price: { units: 19, nanos: 990_000_000, currency: 'USD' },
    });
    expect(products.every((p) => p.price !== null && p.price.currency === 'USD')).toBe(true);

    const eur = (await probe(agent, api('/api/products?currency=eur'))).json<ApiProduct[]>();
    expect(eur[0]!.price).toEqual({ units: 18, nanos: 390_800_000, currency: 'EUR' });

    const one = await probe(agent, api(`/api/products/${PRODUCTS[2]!.id}?currency=GBP`));
    expect(one.json()).toMatchObject({
      id: PRODUCTS[2]!.id,
      price: { units: 86, nanos: 892_100_000, currency: 'GBP' },
    });
    const missing = await probe(agent, api('/api/products/NOPE'));
    expect(missing.status).toBe(404);
    expect(missing.json()).toEqual({ error: 'product not found', id: 'NOPE' });
  });

  it('answers 400 with pricing’s message for an unknown currency', async () => {
    const r = await probe(agent, api('/api/products?currency=XYZ'));
    expect(r.status).toBe(400);
    expect(r.json<{ error: string }>().error).toMatch(/unknown currency "XYZ"/);
  });

  it('adds to a cart and shows it with names, prices and a total (one instance holds a user’s cart)', async () => {
    const user = `u-${process.pid}`;
    const [a, b] = [PRODUCTS[0]!, PRODUCTS[7]!]; // 19.99 and 5.49 USD
    const add = (productId: string, quantity: number) =>
      probe(agent, api(`/api/cart/${user}/items`), { method: 'POST', body: { productId, quantity } });
    expect((await add(a.id, 2)).status).toBe(200);
    expect((await add(b.id, 3)).status).toBe(200);
    // Carts live per cart instance (README); the frontend's cart client is keyed by user
    // (ring-hash on x-shop-user), so both items went to the same instance.
    const holders: number[] = [];
    for (const [i, c] of shop.cart.entries()) {
      const r = await probe(agent, `http://127.0.0.1:${c.port}/carts/${user}`);
      if (r.json<{ items: unknown[] }>().items.length > 0) holders.push(i);
    }
    expect(holders).toHaveLength(1);
    const cart = await probe(agent, api(`/api/cart/${user}?currency=USD`));
    expect(cart.status).toBe(200);
    expect(cart.json()).toEqual({
      user,
      items: [
        {
          productId: a.id,
          quantity: 2,
          name: a.name,
          price: { units: 19, nanos: 990_000_000, currency: 'USD' },
        },
        {
          productId: b.id,
          quantity: 3,
          name: b.name,
          price: { units: 5, nanos: 490_000_000, currency: 'USD' },
        },
      ],
      total: { units: 56, nanos: 450_000_000, currency: 'USD' }, // 2 × 19.99 + 3 × 5.49
    });
  });

  it('validates cart bodies: 400 with a message, 404 for an unknown product, 413 over the limit', async () => {
    const post = (body: unknown) =>
      probe(agent, api('/api/cart/ann/items'), {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json' },
      });
    const zero = await post({ productId: PRODUCTS[0]!.id, quantity: 0 });
    expect(zero.status).toBe(400);
    expect(zero.json<{ error: string }>().error).toMatch(/quantity must be an integer/);
    const unknown = await post({ productId: 'NOPE', quantity: 1 });
    expect(unknown.status).toBe(404);
    expect(unknown.json()).toEqual({ error: 'product not found', id: 'NOPE' });
    const broken = await post('{"productId":');
    expect(broken.status).toBe(400);
    const big = await post(
      JSON.stringify({ productId: PRODUCTS[0]!.id, quantity: 1, pad: 'x'.repeat(8_000) }),
    );
    expect(big.status).toBe(413);
  });

  it('routes around catalog instances that fail every request: no user-visible errors', async () => {
    // Two of three fail: P2C draws a pair, so at least a third of first picks land on a faulty one,
    // and the retries (3 attempts, each preferring an instance not yet tried) reach the healthy one.
    const bad = shop.catalog.slice(0, 2);
    const errors = async () =>
      (await Promise.all(bad.map((b) => faultStats(b.adminPort)))).reduce((sum, s) => sum + s.errors, 0);
    const before = await errors();
    for (const b of bad) await setFaults(b.adminPort, { error: { rate: 1, status: 503 } });
    const statuses: number[] = [];
    for (let i = 0; i < 60; i++) {
      const r = await probe(agent, api('/api/products'));
      statuses.push(r.status);
      expect(r.json<ApiProduct[]>()).toHaveLength(10);
    }
    expect(statuses.every((s) => s === 200)).toBe(true);
    // The faulty instances were tried (and failed): the retries hid them.
    expect((await errors()) - before).toBeGreaterThan(0);
  });

  it('carries one trace id from the caller through frontend, catalog, cart (HTTP) and pricing (gRPC)', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const parent = '00f067aa0ba902b7';
    const traceparent = `00-${traceId}-${parent}-01`;
    const mark = lines.length;
    const one = await probe(agent, api(`/api/products/${PRODUCTS[3]!.id}`), { headers: { traceparent } });
    expect(one.status).toBe(200);
    const post = await probe(agent, api('/api/cart/traced/items'), {
      method: 'POST',
      headers: { traceparent },
      body: { productId: PRODUCTS[3]!.id, quantity: 1 },
    });
    expect(post.status).toBe(200);
    const traced = logs()
      .slice(mark)
      .filter((l) => l.trace_id === traceId);
    const services = new Set(traced.map((l) => l.service));
    expect([...services].sort()).toEqual(['cart', 'catalog', 'frontend', 'pricing']);
    expect(traced.find((l) => l.service === 'pricing' && l.msg === 'quote')).toBeDefined();
    expect(traced.find((l) => l.service === 'cart' && l.msg === 'item added')).toMatchObject({
      user: 'traced',
    });
    // Each hop has its own span: no backend line reuses the caller's parent id.
    expect(traced.every((l) => typeof l.span_id === 'string' && l.span_id !== parent)).toBe(true);
    // Lines of this window that belong to other traces are not mislabelled with this one.
    const untraced = logs()
      .slice(mark)
      .filter((l) => l.msg === 'request' && l.trace_id !== traceId);
    expect(untraced.every((l) => l.path === '/health' || l.path?.toString().startsWith('/admin'))).toBe(true);
  });

  // After the trace test: it leaves some cart endpoints with failures counted against them.
  it('never retries a cart POST that reached an instance; retries a GET on the other instances', async () => {
    for (const c of shop.cart) await setFaults(c.adminPort, { error: { rate: 1, status: 503 } });
    const attempts = async (): Promise<number> =>
      (await Promise.all(shop.cart.map((c) => faultStats(c.adminPort)))).reduce(
        (sum, s) => sum + (s.requests ?? 0),
        0,
      );
    // Few enough calls that no endpoint reaches the breaker / ejection threshold (5 consecutive).
    const n = 3;
    const before = await attempts();
    for (let i = 0; i < n; i++) {
      const r = await probe(agent, api(`/api/cart/post-${i}/items`), {
        method: 'POST',
        body: { productId: PRODUCTS[1]!.id, quantity: 1 },
      });
      expect(r.status).toBe(503);
    }
    expect((await attempts()) - before).toBe(n); // one attempt per POST: the 503 went to the user
    const beforeGet = await attempts();
    const get = await probe(agent, api('/api/cart/post-0'));
    expect(get.status).toBe(503);
    expect((await attempts()) - beforeGet).toBe(3); // the GET tried all three instances
  });

  it('serves /health, /metrics with Breakwater client metrics, and the dashboard snapshot', async () => {
    await probe(agent, api('/api/products'));
    const health = await probe(agent, api('/health'));
    expect(health.status).toBe(200);
    expect(health.json()).toEqual({ status: 'ok', instance: 'frontend-1' });
    const metrics = (await probe(agent, api('/metrics'))).text;
    expect(metrics).toMatch(
      /breakwater_client_requests_total\{[^}]*service="catalog"[^}]*outcome="success"[^}]*\} \d+/,
    );
    expect(metrics).toMatch(/breakwater_grpc_client_requests_total\{[^}]*service="pricing"/);
    expect(metrics).toMatch(/shop_http_requests_total\{method="GET",route="\/api\/products",status="200"/);
    expect(metrics).toContain('process_cpu_user_seconds_total');
    const page = await probe(agent, api('/dashboard/'));
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    const snapshot = (await probe(agent, api('/dashboard/snapshot.json'))).json<{
      services: { name: string; endpoints: { address: string }[] }[];
    }>();
    const names = snapshot.services.map((s) => s.name).sort();
    expect(names).toEqual(['cart', 'catalog', 'pricing']);
    const catalog = snapshot.services.find((s) => s.name === 'catalog')!;
    expect(catalog.endpoints.map((e) => e.address).sort()).toEqual(
      shop.catalog.map((c) => `127.0.0.1:${c.port}`).sort(),
    );
  });

  // Last: it leaves pricing's breakers open.
  it('degrades when pricing fails: products with price null and x-shop-degraded: pricing', async () => {
    for (const p of shop.pricing) await setFaults(p.adminPort, { error: { rate: 1 } });
    const r = await probe(agent, api('/api/products'));
    expect(r.status).toBe(200);
    expect(r.headers['x-shop-degraded']).toBe('pricing');
    const products = r.json<ApiProduct[]>();
    expect(products).toHaveLength(10);
    expect(products.every((p) => p.price === null)).toBe(true);
    const one = await probe(agent, api(`/api/products/${PRODUCTS[0]!.id}`));
    expect(one.status).toBe(200);
    expect(one.headers['x-shop-degraded']).toBe('pricing');
    expect(one.json<ApiProduct>().price).toBeNull();
  });
});
