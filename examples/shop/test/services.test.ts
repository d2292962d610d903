// The backends in-process, over real sockets on 127.0.0.1:0: catalog and cart (HTTP), pricing
// (gRPC + HTTP admin): routes, validation, health, metrics, fault admin, grpc.health.v1.
import * as grpc from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';
import type { Agent } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { HttpBackend } from '../src/lib/http-backend.js';
import { probe, probeAgent } from '../src/lib/http-probe.js';
import {
  PRICING_SERVICE,
  type PricingClient,
  pricingConstructor,
  type QuoteReply,
} from '../src/lib/pricing-proto.js';
import { PRODUCTS } from '../src/lib/products.js';
import { CART_BODY_LIMIT, startCart } from '../src/services/cart.js';
import { startCatalog } from '../src/services/catalog.js';
import { type PricingService, startPricing } from '../src/services/pricing.js';

const quiet = { log: () => {}, drainTimeoutMs: 200 };
let agent: Agent;
const open: { close(): Promise<void> }[] = [];

beforeAll(() => {
  agent = probeAgent();
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  await agent.close();
});

async function catalog(): Promise<HttpBackend> {
  const s = await startCatalog({ ...quiet, instance: 'catalog-t' });
  open.push(s);
  return s;
}

describe('catalog', () => {
  it('lists the ten products and serves one by id', async () => {
    const s = await catalog();
    const list = await probe(agent, `http://127.0.0.1:${s.port}/products`);
    expect(list.status).toBe(200);
    const products = list.json<{ id: string; name: string; description: string; picture: string }[]>();
    expect(products).toHaveLength(10);
    expect(new Set(products.map((p) => p.id)).size).toBe(10);
    const first = PRODUCTS[0]!;
    const one = await probe(agent, `http://127.0.0.1:${s.port}/products/${first.id}`);
    expect(one.json()).toEqual(first);
  });

  it('answers 404 JSON for an unknown product and for unknown routes, 405 for a wrong method', async () => {
    const s = await catalog();
    const missing = await probe(agent, `http://127.0.0.1:${s.port}/products/NOPE`);
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).toMatch(/application\/json/);
    expect(missing.json()).toEqual({ error: 'product not found', id: 'NOPE' });
    expect((await probe(agent, `http://127.0.0.1:${s.port}/nothing`)).status).toBe(404);
    const wrong = await probe(agent, `http://127.0.0.1:${s.port}/products`, { method: 'DELETE' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.allow).toBe('GET');
  });

  it('serves /health and per-route metrics with process metrics', async () => {
    const s = await catalog();
    const health = await probe(agent, `http://127.0.0.1:${s.port}/health`);
    expect(health.status).toBe(200);
    expect(health.json()).toEqual({ status: 'ok', instance: 'catalog-t' });
    await probe(agent, `http://127.0.0.1:${s.port}/products`);
    await probe(agent, `http://127.0.0.1:${s.port}/products/NOPE`);
    const metrics = await probe(agent, `http://127.0.0.1:${s.port}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.headers['content-type']).toMatch(/text\/plain/);
    expect(metrics.text).toMatch(
      /shop_http_requests_total\{method="GET",route="\/products",status="200",service="catalog",instance="catalog-t"\} 1/,
    );
    expect(metrics.text).toMatch(
      /shop_http_requests_total\{method="GET",route="\/products\/:id",status="404"/,
    );
    expect(metrics.text).toMatch(/shop_http_request_duration_seconds_count\{[^}]*route="\/products"\} 1/);
    expect(metrics.text).toContain('process_cpu_user_seconds_total');
  });

  it('takes fault specs on /admin/faults: errors injected, {} clears, bad specs are 400 naming the field', async () => {
    const s = await catalog();
    const base = `http://127.0.0.1:${s.port}`;
    const set = await probe(agent, `${base}/admin/faults`, {
      method: 'POST',
      body: { error: { rate: 1, status: 503 } },
    });
    expect(set.status).toBe(200);
    expect((await probe(agent, `${base}/products`)).status).toBe(503);
    // Health and metrics stay out of the faults: chaos must not blind the probes.
    expect((await probe(agent, `${base}/health`)).status).toBe(200);
    const shown = await probe(agent, `${base}/admin/faults`);
    expect(shown.json<{ faults: unknown }>().faults).toEqual({ error: { rate: 1, status: 503 } });
    const bad = await probe(agent, `${base}/admin/faults`, { method: 'POST', body: { error: { rate: 2 } } });
    expect(bad.status).toBe(400);
    expect(bad.json<{ error: string }>().error).toContain('error.rate');
    const typo = await probe(agent, `${base}/admin/faults`, { method: 'POST', body: { errorRate: 1 } });
    expect(typo.status).toBe(400);
    await probe(agent, `${base}/admin/faults`, { method: 'POST', body: {} });
    expect((await probe(agent, `${base}/products`)).status).toBe(200);
  });

  it('drains on close: a request in flight finishes, then the port is closed', async () => {
    const s = await startCatalog({
      ...quiet,
      drainTimeoutMs: 5_000,
      faults: { latency: { distribution: { kind: 'fixed', ms: 300 } } },
    });
    const slow = probe(agent, `http://127.0.0.1:${s.port}/products`);
    // Wait until the request is in the server (the fault middleware counts it), then close.
    const stats = async () =>
      (await probe(agent, `http://127.0.0.1:${s.port}/admin/faults`)).json<{ stats: { delayed: number } }>();
    const deadline = performance.now() + 5_000;
    while ((await stats()).stats.delayed < 1) {
      if (performance.now() > deadline) throw new Error('request never arrived');
    }
    const closing = s.close();
    const answered = await slow;
    expect(answered.status).toBe(200); // the in-flight request finished during the drain
    await closing;
    await expect(probe(agent, `http://127.0.0.1:${s.port}/health`)).rejects.toThrow();
  });
});

describe('cart', () => {
  async function cart(): Promise<{ base: string }> {
    const s = await startCart({ ...quiet, instance: 'cart-t' });
    open.push(s);
    return { base: `http://127.0.0.1:${s.port}` };
  }

  it('adds items, sums quantities per product, lists and clears a cart per user', async () => {
    const { base } = await cart();
    expect((await probe(agent, `${base}/carts/ann`)).json()).toEqual({ user: 'ann', items: [] });
    await probe(agent, `${base}/carts/ann/items`, { method: 'POST', body: { productId: 'A1', quantity: 2 } });
    const after = await probe(agent, `${base}/carts/ann/items`, {
      method: 'POST',
      body: { productId: 'A1', quantity: 3 },
    });
    expect(after.status).toBe(200);
    expect(after.json()).toEqual({ user: 'ann', items: [{ productId: 'A1', quantity: 5 }] });
    await probe(agent, `${base}/carts/bob/items`, { method: 'POST', body: { productId: 'B2', quantity: 1 } });
    expect((await probe(agent, `${base}/carts/ann`)).json()).toEqual({
      user: 'ann',
      items: [{ productId: 'A1', quantity: 5 }],
    });
    expect((await probe(agent, `${base}/carts/ann`, { method: 'DELETE' })).status).toBe(204);
    expect((await probe(agent, `${base}/carts/ann`)).json()).toEqual({ user: 'ann', items: [] });
    expect((await probe(agent, `${base}/carts/bob`)).json<{ items: unknown[] }>().items).toHaveLength(1);
  });

  it('rejects bad bodies with 400 and a message saying what is wrong', async () => {
    const { base } = await cart();
    const cases: [unknown, RegExp][] = [
      [{ productId: 'A1' }, /quantity must be an integer in \[1, 99\], got undefined/],
      [{ productId: 'A1', quantity: 0 }, /quantity must be an integer/],
      [{ productId: 'A1', quantity: 1.5 }, /quantity must be an integer/],
      [{ productId: '', quantity: 1 }, /productId must be/],
      [{ productId: 'A1', quantity: 1, colour: 'red' }, /unknown field colour/],
      [[1, 2], /body must be a JSON object/],
      ['{not json', /body is not valid JSON/],
    ];
    for (const [body, message] of cases) {
      const r = await probe(agent, `${base}/carts/ann/items`, { method: 'POST', body });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.json<{ error: string }>().error).toMatch(message);
    }
    const badUser = await probe(agent, `${base}/carts/a%20b/items`, {
      method: 'POST',
      body: { productId: 'A', quantity: 1 },
    });
    expect(badUser.status).toBe(400);
    expect((await probe(agent, `${base}/carts/ann`)).json<{ items: unknown[] }>().items).toEqual([]);
  });

  it('refuses bodies over the limit with 413', async () => {
    const { base } = await cart();
    const big = JSON.stringify({ productId: 'A1', quantity: 1, pad: 'x'.repeat(CART_BODY_LIMIT) });
    const r = await probe(agent, `${base}/carts/ann/items`, { method: 'POST', body: big });
    expect(r.status).toBe(413);
    expect(r.json<{ error: string }>().error).toContain(`${CART_BODY_LIMIT} bytes`);
  });
});

describe('pricing', () => {
  const Pricing = pricingConstructor();
  const clients: grpc.Client[] = [];
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });

  async function pricing(): Promise<{ s: PricingService; client: PricingClient }> {
    const s = await startPricing({ ...quiet, instance: 'pricing-t' });
    open.push(s);
    const client = new Pricing(`127.0.0.1:${s.port}`, grpc.credentials.createInsecure());
    clients.push(client);
    return { s, client };
  }

  function quote(client: PricingClient, skus: string[], currency: string): Promise<QuoteReply> {
    return new Promise((resolve, reject) =>
      client.Quote({ skus, currency }, new grpc.Metadata(), { deadline: Date.now() + 5_000 }, (e, r) =>
        e ? reject(e) : resolve(r!),
      ),
    );
  }

  it('quotes in USD by default and in EUR/GBP by the fixed table', async () => {
    const { client } = await pricing();
    const sku = PRODUCTS[0]!.id; // 19.99 USD
    expect((await quote(client, [sku], '')).prices).toEqual([
      { sku, units: 19, nanos: 990_000_000, currency: 'USD' },
    ]);
    expect((await quote(client, [sku], 'EUR')).prices).toEqual([
      { sku, units: 18, nanos: 390_800_000, currency: 'EUR' }, // 19.99 × 0.92
    ]);
    expect((await quote(client, [sku], 'gbp')).prices).toEqual([
      { sku, units: 15, nanos: 792_100_000, currency: 'GBP' }, // 19.99 × 0.79
    ]);
    const all = await quote(
      client,
      PRODUCTS.map((p) => p.id),
      'USD',
    );
    expect(all.prices.map((p) => p.sku)).toEqual(PRODUCTS.map((p) => p.id));
  });

  it('answers INVALID_ARGUMENT for an unknown currency and NOT_FOUND for an unknown sku', async () => {
    const { client } = await pricing();
    await expect(quote(client, [PRODUCTS[0]!.id], 'XYZ')).rejects.toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
      details: expect.stringContaining('XYZ'),
    });
    await expect(quote(client, ['NOPE'], 'USD')).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
  });

  it('implements grpc.health.v1 Check: SERVING for the server and the Pricing service', async () => {
    const { s } = await pricing();
    const Health = grpc.makeClientConstructor(healthService as grpc.ServiceDefinition, 'Health');
    const health = new Health(
      `127.0.0.1:${s.port}`,
      grpc.credentials.createInsecure(),
    ) as unknown as grpc.Client & {
      Check(
        req: { service: string },
        cb: (e: grpc.ServiceError | null, r?: { status: string | number }) => void,
      ): void;
    };
    clients.push(health);
    const check = (service: string) =>
      new Promise<{ status: string | number } | undefined>((resolve, reject) =>
        health.Check({ service }, (e, r) => (e ? reject(e) : resolve(r))),
      );
    expect((await check(''))?.status).toBe('SERVING');
    expect((await check(PRICING_SERVICE))?.status).toBe('SERVING');
    await expect(check('other.Service')).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
  });

  it('turns grpc.health.v1 NOT_SERVING for watchers as soon as it starts draining', async () => {
    const { s } = await pricing();
    const Health = grpc.makeClientConstructor(healthService as grpc.ServiceDefinition, 'Health');
    const health = new Health(
      `127.0.0.1:${s.port}`,
      grpc.credentials.createInsecure(),
    ) as unknown as grpc.Client & {
      Watch(req: { service: string }): grpc.ClientReadableStream<{ status: string | number }>;
    };
    clients.push(health);
    const stream = health.Watch({ service: PRICING_SERVICE });
    const seen: (string | number)[] = [];
    const notServing = new Promise<void>((resolve) =>
      stream.on('data', (m: { status: string | number }) => {
        seen.push(m.status);
        if (m.status === 'NOT_SERVING') resolve();
      }),
    );
    stream.on('error', () => {}); // the server ends the stream when it shuts down
    // Wait for the first update before closing, so the order is observable.
    const deadline = performance.now() + 5_000;
    while (seen.length === 0 && performance.now() < deadline) await new Promise((r) => setImmediate(r));
    const closing = s.close();
    await notServing;
    expect(seen).toEqual(['SERVING', 'NOT_SERVING']);
    stream.cancel();
    await closing;
  });

  it('serves /health, /metrics and /admin/faults on the admin port; faults wrap Quote', async () => {
    const { s, client } = await pricing();
    const admin = `http://127.0.0.1:${s.adminPort}`;
    expect(s.adminPort).not.toBe(s.port);
    expect((await probe(agent, `${admin}/health`)).json()).toEqual({ status: 'ok', instance: 'pricing-t' });
    await quote(client, [PRODUCTS[0]!.id], 'USD');
    const set = await probe(agent, `${admin}/admin/faults`, { method: 'POST', body: { error: { rate: 1 } } });
    expect(set.status).toBe(200);
    await expect(quote(client, [PRODUCTS[0]!.id], 'USD')).rejects.toMatchObject({
      code: grpc.status.UNAVAILABLE,
    });
    const shown = (await probe(agent, `${admin}/admin/faults`)).json<{
      faults: unknown;
      stats: { errors: number };
    }>();
    expect(shown.faults).toEqual({ error: { rate: 1, code: 14, details: 'injected fault' } });
    expect(shown.stats.errors).toBe(1);
    const bad = await probe(agent, `${admin}/admin/faults`, {
      method: 'POST',
      body: { error: { rate: 1, code: 99 } },
    });
    expect(bad.status).toBe(400);
    expect(bad.json<{ error: string }>().error).toContain('error.code');
    await probe(agent, `${admin}/admin/faults`, { method: 'POST', body: {} });
    await quote(client, [PRODUCTS[0]!.id], 'USD');
    const metrics = (await probe(agent, `${admin}/metrics`)).text;
    expect(metrics).toMatch(
      /shop_grpc_requests_total\{method="Quote",code="OK",service="pricing",instance="pricing-t"\} 2/,
    );
    expect(metrics).toMatch(/shop_grpc_requests_total\{method="Quote",code="UNAVAILABLE"[^}]*\} 1/);
    expect(metrics).toContain('process_resident_memory_bytes');
  });
});
