// The gateway against a changing world: instances added and removed at run time, a failing
// instance routed around, trace context continued, deadlines propagated, downstream aborts
// cancelling upstream calls, and nothing left behind by close().
import { request } from 'node:http';
import { ConsulRegistry, StaticRegistry } from '@breakwater/discovery';
import { ConsulSimulator } from '@breakwater/discovery/testkit';
import { Registry as PromRegistry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createGateway } from '../src/gateway.js';
import { type Backend, resources, send, startBackend, until } from './helpers.js';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function backends(...ids: string[]): Promise<Backend[]> {
  const out = await Promise.all(ids.map((id) => startBackend(id)));
  for (const b of out) cleanup.push(() => b.close());
  return out;
}

const addr = (b: Backend): string => `127.0.0.1:${b.port}`;

describe('live discovery', () => {
  it('an instance added to the registry starts receiving traffic; a removed one stops', async () => {
    const [a, b] = await backends('a', 'b');
    const registry = new StaticRegistry({ svc: [addr(a!)] });
    // Round-robin: peak-EWMA (the default) sends a new instance little traffic until it has
    // latency samples, which would make "starts receiving traffic" depend on load.
    const gateway = createGateway({
      registry,
      client: { defaults: { balancer: { policy: 'round-robin' } } },
    });
    const { port } = await gateway.listen();
    cleanup.push(
      () => registry.close(),
      () => gateway.close(),
    );

    for (let i = 0; i < 5; i++) expect((await send(port, '/svc/x')).headers['x-backend']).toBe('a');
    registry.replace({ svc: [addr(a!), addr(b!)] });
    await until(async () => (await send(port, '/svc/x')).headers['x-backend'] === 'b');

    registry.replace({ svc: [addr(b!)] });
    // Once b alone answers, a must get nothing more.
    await until(async () => {
      const seen = new Set<unknown>();
      for (let i = 0; i < 5; i++) seen.add((await send(port, '/svc/x')).headers['x-backend']);
      return seen.size === 1 && seen.has('b');
    });
    const aCount = a!.requests.length;
    for (let i = 0; i < 20; i++) expect((await send(port, '/svc/x')).status).toBe(200);
    expect(a!.requests.length).toBe(aCount);
    expect(gateway.client.endpoints('svc').map((e) => e.id)).toEqual([addr(b!)]);
  });

  it('follows a live Consul registry (simulator): register, deregister', async () => {
    const [a, b] = await backends('a', 'b');
    const consul = await ConsulSimulator.start();
    const registry = new ConsulRegistry({ connection: { address: consul.address } });
    const gateway = createGateway({ registry, services: { svc: { balancer: { policy: 'round-robin' } } } });
    const { port } = await gateway.listen();
    cleanup.push(
      () => consul.close(),
      () => registry.close(),
      () => gateway.close(),
    );
    const register = (id: string, b: Backend): void =>
      consul.state.register({
        Name: 'svc',
        ID: id,
        Address: '127.0.0.1',
        Port: b.port,
        Check: { TTL: '60s', Status: 'passing' },
      });
    register('a', a!);
    await until(async () => (await send(port, '/svc/x')).headers['x-backend'] === 'a');
    register('b', b!);
    await until(async () => (await send(port, '/svc/x')).headers['x-backend'] === 'b');
    consul.state.deregister('a');
    await until(() => gateway.client.endpoints('svc').every((e) => e.port === b!.port));
    const aCount = a!.requests.length;
    for (let i = 0; i < 10; i++) expect((await send(port, '/svc/x')).headers['x-backend']).toBe('b');
    expect(a!.requests.length).toBe(aCount);
  });

  for (const policy of ['round-robin', 'peak-ewma'] as const) {
    it(`routes around a failing instance (${policy}): every call succeeds, the bad one is benched`, async () => {
      const [good1, good2, bad] = await backends('good1', 'good2', 'bad');
      bad!.handler = (_req, res) => {
        res.writeHead(503);
        res.end('down');
      };
      const registry = new StaticRegistry({ svc: [addr(good1!), addr(good2!), addr(bad!)] });
      const gateway = createGateway({
        registry,
        client: { defaults: { balancer: { policy, outlierDetection: true } } },
      });
      const { port } = await gateway.listen();
      cleanup.push(
        () => registry.close(),
        () => gateway.close(),
      );
      for (let i = 0; i < 60; i++) {
        const r = await send(port, '/svc/x');
        expect(r.status, `request ${i}`).toBe(200);
        expect(r.headers['x-backend']).not.toBe('bad');
      }
      // Each 503 is retried on another instance; after five in a row the bad one's breaker opens
      // (and outlier detection ejects it), so it stops getting traffic. Peak-EWMA already avoids it
      // after its first, slow-scored failure.
      expect(bad!.requests.length).toBeLessThanOrEqual(5);
      if (policy === 'round-robin') {
        expect(bad!.requests.length).toBeGreaterThanOrEqual(1);
        const view = gateway.client.endpoints('svc').find((e) => e.port === bad!.port)!;
        expect(view.breaker === 'open' || view.ejected).toBe(true);
      }
    });
  }
});

describe('retries and bodies', () => {
  it('a small buffered body is replayed on retry; a streamed one is sent once and the 503 passed on', async () => {
    const [a] = await backends('a');
    let failNext = 0;
    a!.handler = (_req, res, body) => {
      if (failNext > 0) {
        failNext--;
        res.writeHead(503);
        res.end('busy');
        return;
      }
      res.end(`got ${body.length}`);
    };
    const registry = new StaticRegistry({ svc: [addr(a!)] });
    const gateway = createGateway({ registry, maxBufferedBodyBytes: 16 });
    const { port } = await gateway.listen();
    cleanup.push(
      () => registry.close(),
      () => gateway.close(),
    );
    failNext = 1;
    const small = await send(port, '/svc/put', { method: 'PUT', body: 'small body' });
    expect(small.status).toBe(200);
    expect(small.body.toString()).toBe('got 10');
    expect(a!.requests.slice(-2).map((r) => r.body.toString())).toEqual(['small body', 'small body']);

    failNext = 1;
    const before = a!.requests.length;
    const big = await send(port, '/svc/put', { method: 'PUT', body: 'x'.repeat(100) });
    expect(big.status).toBe(503);
    expect(big.body.toString()).toBe('busy');
    expect(a!.requests.length - before).toBe(1);
  });
});

describe('trace context and deadlines', () => {
  it('continues an inbound traceparent: same trace id, new parent id', async () => {
    const [a] = await backends('a');
    const registry = new StaticRegistry({ svc: [addr(a!)] });
    const gateway = createGateway({ registry });
    const { port } = await gateway.listen();
    cleanup.push(
      () => registry.close(),
      () => gateway.close(),
    );
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const parent = '00f067aa0ba902b7';
    await send(port, '/svc/x', {
      headers: { traceparent: `00-${traceId}-${parent}-01`, tracestate: 'vendor=abc' },
    });
    const h = a!.requests.at(-1)!.headers;
    const m = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(String(h.traceparent));
    expect(m).not.toBeNull();
    expect(m![1]).toBe(traceId);
    expect(m![2]).not.toBe(parent);
    expect(m![3]).toBe('01');
    expect(h.tracestate).toBe('vendor=abc');
    // Without one, a new trace starts.
    await send(port, '/svc/y');
    const fresh = String(a!.requests.at(-1)!.headers.traceparent);
    expect(fresh).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[0-3]$/);
    expect(fresh.slice(3, 35)).not.toBe(traceId);
  });

  it('sends the remaining deadline downstream, shortened by an inbound one, and never the internal header', async () => {
    const [a] = await backends('a');
    const registry = new StaticRegistry({ svc: [addr(a!)] });
    const gateway = createGateway({ registry, timeoutMs: 10_000 });
    const { port } = await gateway.listen();
    cleanup.push(
      () => registry.close(),
      () => gateway.close(),
    );
    await send(port, '/svc/x');
    const plain = Number(a!.requests.at(-1)!.headers['x-breakwater-deadline-ms']);
    expect(plain).toBeGreaterThan(8_000);
    expect(plain).toBeLessThanOrEqual(10_000);
    await send(port, '/svc/x', { headers: { 'x-breakwater-deadline-ms': '3000' } });
    const h = a!.requests.at(-1)!.headers;
    const shortened = Number(h['x-breakwater-deadline-ms']);
    expect(shortened).toBeGreaterThan(1_000);
    expect(shortened).toBeLessThanOrEqual(3_000);
    expect(h['x-breakwater-gateway-deadline-at']).toBeUndefined();
    // A longer inbound deadline does not lengthen the gateway's own.
    await send(port, '/svc/x', { headers: { 'x-breakwater-deadline-ms': '60000' } });
    expect(Number(a!.requests.at(-1)!.headers['x-breakwater-deadline-ms'])).toBeLessThanOrEqual(10_000);
    // A spoofed internal header is dropped.
    await send(port, '/svc/x', { headers: { 'x-breakwater-gateway-deadline-at': '1' } });
    expect(a!.requests.at(-1)!.headers['x-breakwater-gateway-deadline-at']).toBeUndefined();
    expect(Number(a!.requests.at(-1)!.headers['x-breakwater-deadline-ms'])).toBeGreaterThan(8_000);
  });
});

describe('cancellation and cleanup', () => {
  it('a downstream abort before the response cancels the upstream request', async () => {
    const [a] = await backends('a');
    let upstreamClosed = false;
    a!.handler = (_req, res) => {
      res.on('close', () => {
        upstreamClosed = true;
      });
    };
    const registry = new StaticRegistry({ svc: [addr(a!)] });
    const gateway = createGateway({ registry });
    const { port } = await gateway.listen();
    cleanup.push(
      () => registry.close(),
      () => gateway.close(),
    );
    const req = request({ host: '127.0.0.1', port, path: '/svc/hang', agent: false });
    req.on('error', () => undefined);
    req.end();
    await until(() => a!.requests.length === 1);
    expect(upstreamClosed).toBe(false);
    req.destroy();
    await until(() => upstreamClosed);
    await until(() => gateway.client.endpoints('svc')[0]!.inflight === 0);
  });

  it('a downstream abort while the body streams cancels the upstream response', async () => {
    const [a] = await backends('a');
    let upstreamClosed = false;
    a!.handler = (_req, res) => {
      res.on('close', () => {
        upstreamClosed = true;
      });
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first chunk;');
    };
    const registry = new StaticRegistry({ svc: [addr(a!)] });
    const gateway = createGateway({ registry });
    const { port } = await gateway.listen();
    cleanup.push(
      () => registry.close(),
      () => gateway.close(),
    );
    const got = await new Promise<string>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/svc/stream', agent: false }, (res) => {
        res.once('data', (c: Buffer) => {
          resolve(c.toString());
          req.destroy();
        });
      });
      req.on('error', () => undefined);
      req.on('error', reject);
      req.end();
    });
    expect(got).toBe('first chunk;');
    await until(() => upstreamClosed);
  });

  it('a downstream abort while the request body uploads reaches no backend and breaks nothing', async () => {
    const [a] = await backends('a');
    const registry = new StaticRegistry({ svc: [addr(a!)] });
    const warnings: string[] = [];
    const gateway = createGateway({
      registry,
      logger: { info: () => undefined, warn: (msg) => warnings.push(msg) },
    });
    const { port } = await gateway.listen();
    cleanup.push(
      () => registry.close(),
      () => gateway.close(),
    );
    for (const length of [1_000, 1_000_000]) {
      // Buffered (≤ 64 KiB) and streamed bodies: declared, then cut after a few bytes.
      const req = request({
        host: '127.0.0.1',
        port,
        path: '/svc/upload',
        method: 'PUT',
        agent: false,
        headers: { 'content-length': String(length) },
      });
      req.on('error', () => undefined);
      req.write('only a little');
      await until(() => req.socket?.bytesWritten !== undefined && req.socket.bytesWritten > 0);
      req.destroy();
    }
    await until(() => gateway.client.endpoints('svc').every((e) => e.inflight === 0));
    // The buffered body never reached the backend; a streamed one may have started, never completed.
    expect(a!.requests.every((r) => r.body.length < 1_000)).toBe(true);
    expect((await send(port, '/svc/after')).status).toBe(200);
    expect(warnings).toEqual([]);
  });

  it('serves the client metrics at /metrics with a prom-client registry', async () => {
    const [a] = await backends('a');
    const registry = new StaticRegistry({ svc: [addr(a!)] });
    const gateway = createGateway({ registry, metrics: { registry: new PromRegistry() } });
    const { port } = await gateway.listen();
    cleanup.push(
      () => registry.close(),
      () => gateway.close(),
    );
    await send(port, '/svc/x');
    const r = await send(port, '/metrics');
    expect(r.status).toBe(200);
    expect(r.body.toString()).toMatch(
      /breakwater_client_requests_total\{service="svc",outcome="success"\} 1/,
    );
  });

  it('close() leaves no sockets, servers or timers behind', async () => {
    const before = resources();
    const [a, b] = await backends('a', 'b');
    const registry = new StaticRegistry({ svc: [addr(a!), addr(b!)] });
    const gateway = createGateway({ registry });
    const { port } = await gateway.listen();
    // Keep-alive connections gateway → backends, and a call with its own deadline timer.
    for (let i = 0; i < 10; i++)
      await send(port, '/svc/x', { headers: { 'x-breakwater-deadline-ms': '5000' } });
    expect(resources().sockets).toBeGreaterThan(before.sockets);
    await gateway.close();
    await registry.close();
    for (const fn of cleanup.splice(0).reverse()) await fn();
    await until(() => {
      const now = resources();
      return now.sockets <= before.sockets && now.servers <= before.servers && now.timers <= before.timers;
    });
    // A second close is a no-op; listen after close is refused.
    await gateway.close();
    await expect(gateway.listen()).rejects.toThrow(/closed|listening/);
  });
});
