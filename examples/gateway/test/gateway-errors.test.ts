// Every failure mapped to its proxy status, with `{ error: { code, message } }`. Time is injected
// (a manual clock drives the client's deadlines and breakers), so nothing waits for real time
// except the one inbound-deadline case, whose timer is the behaviour under test.
import { once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConsecutiveFailures } from '@breakwater/breaker';
import { StaticRegistry } from '@breakwater/discovery';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../src/gateway.js';
import { type Backend, echo, send, startBackend, until } from './helpers.js';

class ManualClock {
  t = 1_000;
  now(): number {
    return this.t;
  }
}

let backend: Backend;
const held: ServerResponse[] = [];
const cleanup: (() => Promise<void>)[] = [];

beforeAll(async () => {
  backend = await startBackend('b1');
});
afterEach(async () => {
  for (const res of held.splice(0)) res.end('late');
  backend.handler = echo('b1');
  for (const fn of cleanup.splice(0).reverse()) await fn();
});
afterAll(async () => {
  await backend.close();
});

async function gatewayFor(
  options: Omit<Parameters<typeof createGateway>[0], 'registry'>,
  services?: Record<string, string[]>,
) {
  const registry = new StaticRegistry(services ?? { svc: [`127.0.0.1:${backend.port}`] });
  const gateway: Gateway = createGateway({ registry, ...options });
  const { port } = await gateway.listen();
  cleanup.push(async () => {
    await gateway.close(0);
    await registry.close();
  });
  return { gateway, port, registry };
}

const hold = (): void => {
  backend.handler = (_req, res) => {
    held.push(res);
  };
};

describe('error mapping', () => {
  it('no endpoints → 503 BREAKWATER_NO_ENDPOINTS', async () => {
    const { port } = await gatewayFor({}, { svc: [] });
    const r = await send(port, '/svc/x');
    expect(r.status).toBe(503);
    expect(r.json()).toEqual({
      error: { code: 'BREAKWATER_NO_ENDPOINTS', message: 'no endpoint of svc is available' },
    });
  });

  it('an allowlisted service the registry does not know → 503 (no endpoints), an unlisted one → 404', async () => {
    const { port } = await gatewayFor({ services: { ghost: {} } });
    const r = await send(port, '/ghost/x');
    expect(r.status).toBe(503);
    expect(r.json()).toMatchObject({ error: { code: 'BREAKWATER_NO_ENDPOINTS' } });
    // svc is in the registry but not in the allowlist.
    expect((await send(port, '/svc/x')).status).toBe(404);
  });

  it('service breaker open → 503 BREAKWATER_CIRCUIT_OPEN with Retry-After from the open time', async () => {
    const clock = new ManualClock();
    backend.handler = (_req, res) => {
      res.writeHead(500);
      res.end('boom');
    };
    const { port } = await gatewayFor({
      clock,
      services: {
        svc: {
          retry: false,
          endpointBreaker: false,
          serviceBreaker: {
            strategy: () => new ConsecutiveFailures({ threshold: 2 }),
            openDurationMs: 7_000,
          },
        },
      },
    });
    // Upstream 500s pass through as they are…
    expect((await send(port, '/svc/x')).status).toBe(500);
    expect((await send(port, '/svc/x')).status).toBe(500);
    const before = backend.requests.length;
    // …until the breaker opens: then the gateway fails fast.
    const r = await send(port, '/svc/x');
    expect(r.status).toBe(503);
    expect(r.headers['retry-after']).toBe('7');
    expect(r.json()).toMatchObject({ error: { code: 'BREAKWATER_CIRCUIT_OPEN' } });
    expect(backend.requests.length).toBe(before);
  });

  it('bulkhead full → 503 BREAKWATER_BULKHEAD_FULL with Retry-After', async () => {
    hold();
    const { port } = await gatewayFor({ services: { svc: { bulkhead: { maxConcurrent: 1 } } } });
    const first = send(port, '/svc/slow');
    await until(() => held.length === 1);
    const r = await send(port, '/svc/x');
    expect(r.status).toBe(503);
    expect(r.headers['retry-after']).toBe('1');
    expect(r.json()).toMatchObject({ error: { code: 'BREAKWATER_BULKHEAD_FULL' } });
    held.shift()!.end('done');
    expect((await first).body.toString()).toBe('done');
  });

  it('the call deadline (timeoutMs) passing → 504 BREAKWATER_DEADLINE_EXCEEDED', async () => {
    const clock = new ManualClock();
    hold();
    const { port } = await gatewayFor({ clock, timeoutMs: 2_000 });
    const pending = send(port, '/svc/slow');
    await until(() => held.length === 1);
    clock.t += 2_001;
    const r = await pending;
    expect(r.status).toBe(504);
    expect(r.json()).toMatchObject({ error: { code: 'BREAKWATER_DEADLINE_EXCEEDED' } });
  });

  it('a per-try timeout ending the call → 504 BREAKWATER_REQUEST_FAILED', async () => {
    const clock = new ManualClock();
    hold();
    const { port } = await gatewayFor({
      clock,
      services: { svc: { perTryTimeoutMs: 500, retry: { maxAttempts: 1 } } },
    });
    const pending = send(port, '/svc/slow');
    await until(() => held.length === 1);
    clock.t += 501;
    const r = await pending;
    expect(r.status).toBe(504);
    expect(r.json()).toMatchObject({ error: { code: 'BREAKWATER_REQUEST_FAILED' } });
  });

  it('upstream connection refused → 502 BREAKWATER_REQUEST_FAILED', async () => {
    const dead = createServer().listen(0, '127.0.0.1');
    await once(dead, 'listening');
    const deadPort = (dead.address() as AddressInfo).port;
    await new Promise((r) => dead.close(r));
    const { port } = await gatewayFor({}, { svc: [`127.0.0.1:${deadPort}`] });
    const r = await send(port, '/svc/x');
    expect(r.status).toBe(502);
    expect(r.json()).toEqual({
      error: { code: 'BREAKWATER_REQUEST_FAILED', message: 'svc could not be reached' },
    });
    // Internal addresses stay out of the answer.
    expect(r.body.toString()).not.toContain(String(deadPort));
  });

  it('upstream reset mid-request → 502', async () => {
    backend.handler = (req) => req.socket.destroy();
    const { port } = await gatewayFor({ services: { svc: { retry: false } } });
    const r = await send(port, '/svc/x', { method: 'POST', body: 'x' });
    expect(r.status).toBe(502);
  });

  it("the caller's deadline: 0 ms → 504 at once; a short one → 504 when it passes", async () => {
    hold();
    const { port } = await gatewayFor({});
    const zero = await send(port, '/svc/x', { headers: { 'x-breakwater-deadline-ms': '0' } });
    expect(zero.status).toBe(504);
    expect(zero.json()).toMatchObject({ error: { code: 'BREAKWATER_GATEWAY_DEADLINE_EXCEEDED' } });
    expect(held.length).toBe(0);
    const short = await send(port, '/svc/x', { headers: { 'x-breakwater-deadline-ms': '50' } });
    expect(short.status).toBe(504);
    expect(short.json()).toMatchObject({ error: { code: 'BREAKWATER_GATEWAY_DEADLINE_EXCEEDED' } });
  });

  it('while closing: health answers 503 draining, calls in flight finish, new calls get 503', async () => {
    hold();
    const registry = new StaticRegistry({ svc: [`127.0.0.1:${backend.port}`] });
    const gateway = createGateway({ registry });
    // Mounted on our own server, so that server stays open while the gateway closes.
    const server = createServer(gateway.handler).listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as AddressInfo).port;
    try {
      const pending = send(port, '/svc/slow');
      await until(() => held.length === 1);
      expect((await send(port, '/_gateway/health')).status).toBe(200);
      const closing = gateway.close();
      const health = await send(port, '/_gateway/health');
      expect(health.status).toBe(503);
      expect(health.json()).toEqual({ status: 'draining' });
      const refused = await send(port, '/svc/x');
      expect(refused.status).toBe(503);
      expect(refused.json()).toMatchObject({ error: { code: 'BREAKWATER_CLIENT_CLOSED' } });
      held.shift()!.end('done');
      expect((await pending).body.toString()).toBe('done');
      await closing;
    } finally {
      await new Promise((r) => {
        server.close(r);
        server.closeAllConnections();
      });
      await registry.close();
    }
  });
});
