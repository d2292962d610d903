// Proxying: routing, path and query, methods, bodies, header hygiene, forwarding headers, streaming.
import { StaticRegistry } from '@breakwater/discovery';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../src/gateway.js';
import { type Backend, send, startBackend } from './helpers.js';

let catalog: Backend;
let orders: Backend;
let registry: StaticRegistry;
let gateway: Gateway;
let port: number;

beforeAll(async () => {
  catalog = await startBackend('catalog-1');
  orders = await startBackend('orders-1');
  registry = new StaticRegistry({
    catalog: [`127.0.0.1:${catalog.port}`],
    orders: [`127.0.0.1:${orders.port}`],
  });
  gateway = createGateway({ registry });
  port = (await gateway.listen()).port;
});

afterAll(async () => {
  await gateway.close();
  await registry.close();
  await catalog.close();
  await orders.close();
});

interface Echo {
  id: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

describe('routing', () => {
  it('routes /<service>/<rest>?q to the service with the path and query preserved', async () => {
    const a = await send(port, '/catalog/items/42?limit=10&x=%2F%20y');
    expect(a.status).toBe(200);
    expect(a.json<Echo>()).toMatchObject({ id: 'catalog-1', url: '/items/42?limit=10&x=%2F%20y' });
    const b = await send(port, '/orders/v1/orders');
    expect(b.json<Echo>()).toMatchObject({ id: 'orders-1', url: '/v1/orders' });
  });

  it('keeps percent-encoded slashes and trailing slashes as sent', async () => {
    const r = await send(port, '/catalog/a%2Fb/c/');
    expect(r.json<Echo>().url).toBe('/a%2Fb/c/');
  });

  it('maps /<service> and /<service>?q to / and /?q', async () => {
    expect((await send(port, '/catalog')).json<Echo>().url).toBe('/');
    expect((await send(port, '/catalog?a=1')).json<Echo>().url).toBe('/?a=1');
  });

  it('answers 404 with a JSON error for a service the registry does not list', async () => {
    const before = catalog.requests.length + orders.requests.length;
    const r = await send(port, '/nope/items');
    expect(r.status).toBe(404);
    expect(r.headers['content-type']).toMatch(/^application\/json/);
    expect(r.json()).toEqual({
      error: { code: 'BREAKWATER_UNKNOWN_SERVICE', message: 'unknown service "nope"' },
    });
    expect(catalog.requests.length + orders.requests.length).toBe(before);
  });

  it('answers 404 for invalid service names and 400 for absolute-form targets', async () => {
    expect((await send(port, '/')).status).toBe(404);
    expect((await send(port, '/Catalog/x')).status).toBe(404);
    expect((await send(port, '/_x/items')).status).toBe(404);
    const r = await send(port, `http://127.0.0.1:${port}/catalog/x`);
    expect(r.status).toBe(400);
    expect(r.json()).toMatchObject({ error: { code: 'BREAKWATER_GATEWAY_BAD_REQUEST' } });
  });
});

describe('methods, bodies and headers', () => {
  it('passes method, body and end-to-end headers through, duplicates included', async () => {
    const body = JSON.stringify({ sku: 'A-1', qty: 2 });
    const r = await send(port, '/orders/v1/orders', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'abc', 'x-multi': ['1', '2'] },
      body,
    });
    expect(r.status).toBe(200);
    const seen = orders.requests.at(-1)!;
    expect(seen.method).toBe('POST');
    expect(seen.body.toString()).toBe(body);
    expect(seen.headers['content-type']).toBe('application/json');
    expect(seen.headers['x-request-id']).toBe('abc');
    expect(seen.headers['x-multi']).toBe('1, 2');
    expect(seen.headers['content-length']).toBe(String(Buffer.byteLength(body)));
  });

  it('passes PUT, DELETE, PATCH and HEAD', async () => {
    for (const method of ['PUT', 'DELETE', 'PATCH']) {
      const r = await send(port, '/catalog/items/1', { method, body: method === 'DELETE' ? undefined : 'x' });
      expect(r.json<Echo>()).toMatchObject({ method, url: '/items/1' });
    }
    const head = await send(port, '/catalog/items/1', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    expect(catalog.requests.at(-1)!.method).toBe('HEAD');
  });

  it('strips hop-by-hop headers, and those Connection names, towards the backend', async () => {
    // A raw request: node:http and undici refuse to send some of these.
    const { connect } = await import('node:net');
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    const ended = new Promise((r) => socket.once('close', r));
    socket.write(
      [
        'POST /catalog/h HTTP/1.1',
        'Host: gw',
        'Connection: close, X-Secret-Hop',
        'Keep-Alive: timeout=5',
        'X-Secret-Hop: must not pass',
        'Proxy-Authorization: Basic Zm9vOmJhcg==',
        'Proxy-Foo: bar',
        'TE: trailers',
        'Trailer: x-checksum',
        'Upgrade: websocket',
        'Transfer-Encoding: chunked',
        'X-Kept: yes',
        '',
        '5\r\nhello\r\n0\r\nx-checksum: 1\r\n\r\n',
      ].join('\r\n'),
    );
    await ended;
    expect(Buffer.concat(chunks).toString()).toMatch(/^HTTP\/1.1 200/);
    const seen = catalog.requests.at(-1)!;
    expect(seen.body.toString()).toBe('hello');
    const names = seen.rawHeaders.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
    for (const name of [
      'keep-alive',
      'x-secret-hop',
      'proxy-authorization',
      'proxy-foo',
      'te',
      'trailer',
      'upgrade',
    ]) {
      expect(names, name).not.toContain(name);
    }
    expect(seen.headers.connection ?? '').not.toMatch(/x-secret-hop/i);
    expect(seen.headers['x-checksum']).toBeUndefined();
    expect(seen.headers['x-kept']).toBe('yes');
  });

  it('strips hop-by-hop headers from the response and adds Via', async () => {
    catalog.handler = (_req, res) => {
      res.setHeader('connection', 'keep-alive, X-Internal');
      res.setHeader('x-internal', 'secret');
      res.setHeader('keep-alive', 'timeout=5');
      res.setHeader('proxy-authenticate', 'Basic');
      res.setHeader('x-public', 'ok');
      res.setHeader('set-cookie', ['a=1', 'b=2']);
      res.end('hi');
    };
    try {
      const r = await send(port, '/catalog/resp');
      expect(r.body.toString()).toBe('hi');
      expect(r.headers['x-internal']).toBeUndefined();
      expect(r.headers['proxy-authenticate']).toBeUndefined();
      expect(r.headers['keep-alive']).toBeUndefined();
      expect(r.headers['x-public']).toBe('ok');
      expect(r.headers['set-cookie']).toEqual(['a=1', 'b=2']);
      expect(r.headers.via).toBe('1.1 breakwater-gateway');
    } finally {
      catalog.handler = (await import('./helpers.js')).echo('catalog-1');
    }
  });

  it('sets X-Forwarded-For/Proto/Host and Forwarded, replacing untrusted inbound values', async () => {
    await send(port, '/catalog/f', {
      headers: {
        host: 'shop.example:8443',
        'x-forwarded-for': '6.6.6.6',
        'x-forwarded-proto': 'https',
        forwarded: 'for=6.6.6.6',
      },
    });
    const h = catalog.requests.at(-1)!.headers;
    expect(h['x-forwarded-for']).toBe('127.0.0.1');
    expect(h['x-forwarded-proto']).toBe('http');
    expect(h['x-forwarded-host']).toBe('shop.example:8443');
    expect(h.forwarded).toBe('for=127.0.0.1;host="shop.example:8443";proto=http');
    expect(h.via).toBe('1.1 breakwater-gateway');
    // The upstream Host is the endpoint's, not the gateway's.
    expect(h.host).toBe(`127.0.0.1:${catalog.port}`);
  });

  it('with trustForwarded, appends to inbound X-Forwarded-For and Forwarded', async () => {
    const trusting = createGateway({ registry, trustForwarded: true });
    const p = (await trusting.listen()).port;
    try {
      await send(p, '/catalog/f', {
        headers: {
          host: 'edge',
          'x-forwarded-for': '203.0.113.9',
          'x-forwarded-proto': 'https',
          forwarded: 'for=203.0.113.9;proto=https',
        },
      });
      const h = catalog.requests.at(-1)!.headers;
      expect(h['x-forwarded-for']).toBe('203.0.113.9, 127.0.0.1');
      expect(h['x-forwarded-proto']).toBe('https');
      expect(h.forwarded).toBe('for=203.0.113.9;proto=https, for=127.0.0.1;host=edge;proto=http');
    } finally {
      await trusting.close();
    }
  });
});

describe('bodies', () => {
  it('streams a large response body (8 MiB) through intact', async () => {
    const chunk = Buffer.alloc(64 * 1024);
    for (let i = 0; i < chunk.length; i++) chunk[i] = i % 251;
    catalog.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      let n = 0;
      const write = (): void => {
        while (n < 128) {
          n++;
          if (!res.write(chunk)) {
            res.once('drain', write);
            return;
          }
        }
        res.end();
      };
      write();
    };
    try {
      const r = await send(port, '/catalog/big');
      expect(r.status).toBe(200);
      expect(r.body.length).toBe(128 * chunk.length);
      for (let i = 0; i < 128; i++)
        expect(r.body.subarray(i * chunk.length, (i + 1) * chunk.length).equals(chunk)).toBe(true);
    } finally {
      catalog.handler = (await import('./helpers.js')).echo('catalog-1');
    }
  });

  it('streams a large request body (1 MiB, above the buffering limit) with its Content-Length', async () => {
    const body = Buffer.alloc(1024 * 1024, 7);
    const r = await send(port, '/orders/upload', { method: 'POST', body });
    expect(r.status).toBe(200);
    const seen = orders.requests.at(-1)!;
    expect(seen.body.equals(body)).toBe(true);
    expect(seen.headers['content-length']).toBe(String(body.length));
  });

  it('streams a chunked request body of unknown length', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, path: '/orders/chunked', method: 'POST', agent: false },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.write('part-1;');
      req.write('part-2;');
      req.end('part-3');
    });
    expect(status).toBe(200);
    const seen = orders.requests.at(-1)!;
    expect(seen.body.toString()).toBe('part-1;part-2;part-3');
    expect(seen.headers['transfer-encoding']).toBe('chunked');
  });

  it('answers 413 for a body over maxBodyBytes, declared or streamed, without reaching the backend', async () => {
    const small = createGateway({ registry, maxBodyBytes: 1_000, maxBufferedBodyBytes: 100 });
    const p = (await small.listen()).port;
    try {
      const before = orders.requests.length;
      const declared = await send(p, '/orders/up', { method: 'POST', body: Buffer.alloc(2_000) });
      expect(declared.status).toBe(413);
      expect(declared.json()).toMatchObject({ error: { code: 'BREAKWATER_GATEWAY_BODY_TOO_LARGE' } });
      expect(orders.requests.length).toBe(before);
      // Chunked: the limit is found while streaming.
      const { request } = await import('node:http');
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(
          { host: '127.0.0.1', port: p, path: '/orders/up', method: 'POST', agent: false },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', () => resolve(-1));
        for (let i = 0; i < 10; i++) req.write(Buffer.alloc(300));
        req.end();
        req.on('error', reject);
      });
      // Either the 413 arrives, or the gateway cut the connection while the body was still coming.
      expect([413, -1]).toContain(status);
      expect(orders.requests.slice(before).every((r) => r.body.length <= 1_000)).toBe(true);
    } finally {
      await small.close();
    }
  });

  it('answers 431 for headers over maxHeaderBytes', async () => {
    const small = createGateway({ registry, maxHeaderBytes: 2_048 });
    const p = (await small.listen()).port;
    try {
      const r = await send(p, '/catalog/x', { headers: { 'x-big': 'a'.repeat(4_000) } });
      expect(r.status).toBe(431);
      // The handler alone (mounted on a server with a larger limit) enforces it too.
      const { createServer } = await import('node:http');
      const server = createServer(small.handler).listen(0, '127.0.0.1');
      await new Promise((r2) => server.once('listening', r2));
      try {
        const r2 = await send((server.address() as { port: number }).port, '/catalog/x', {
          headers: { 'x-big': 'a'.repeat(4_000) },
        });
        expect(r2.status).toBe(431);
        expect(r2.json()).toMatchObject({ error: { code: 'BREAKWATER_GATEWAY_HEADERS_TOO_LARGE' } });
      } finally {
        await new Promise((r3) => {
          server.close(r3);
          server.closeAllConnections();
        });
      }
    } finally {
      await small.close();
    }
  });
});

describe('admin endpoints', () => {
  it('GET /_gateway/health is 200 and /_gateway/routes lists services and their endpoints', async () => {
    await send(port, '/catalog/warm');
    const health = await send(port, '/_gateway/health');
    expect(health.status).toBe(200);
    expect(health.json()).toEqual({ status: 'ok' });
    const routes = await send(port, '/_gateway/routes');
    expect(routes.status).toBe(200);
    const services = routes.json<{
      services: Record<string, { endpoints: { id: string }[]; registry: unknown }>;
    }>().services;
    expect(Object.keys(services)).toEqual(['catalog', 'orders']);
    expect(services.catalog!.endpoints.map((e) => e.id)).toEqual([`127.0.0.1:${catalog.port}`]);
    expect(services.catalog!.registry).toEqual([
      { id: `127.0.0.1:${catalog.port}`, host: '127.0.0.1', port: catalog.port },
    ]);
    expect((await send(port, '/_gateway/nope')).status).toBe(404);
    expect((await send(port, '/_gateway/health', { method: 'POST' })).status).toBe(405);
  });
});
