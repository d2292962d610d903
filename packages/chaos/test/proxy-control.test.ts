import { request } from 'node:http';
import { createFaultProxy, type FaultProxy, type ProxyControl, startProxyControl } from '@breakwater/chaos';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectError, get, httpServer, type Upstream } from './helpers/servers.js';

let web: Upstream;
let api: FaultProxy;
let db: FaultProxy;
let control: ProxyControl;

beforeEach(async () => {
  web = await httpServer();
  api = await createFaultProxy({ upstream: { host: '127.0.0.1', port: web.port } });
  db = await createFaultProxy({ upstream: { host: '127.0.0.1', port: web.port } });
  control = await startProxyControl({ api, db });
});

afterEach(async () => {
  await control.close();
  await api.close();
  await db.close();
  await web.close();
});

function call(method: string, path: string, body?: string): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: control.port, path, method, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        text += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('startProxyControl', () => {
  it('lists proxies with names, ports, faults and stats', async () => {
    await get(api.port);
    const { status, json } = await call('GET', '/proxies');
    expect(status).toBe(200);
    expect(json).toEqual([
      {
        name: 'api',
        port: api.port,
        address: '127.0.0.1',
        faults: {},
        stats: expect.objectContaining({ connectionsAccepted: 1 }),
      },
      { name: 'db', port: db.port, address: '127.0.0.1', faults: {}, stats: expect.any(Object) },
    ]);
    expect(control.url).toBe(`http://127.0.0.1:${control.port}`);
  });

  it('POST replaces the faults and they take effect; DELETE clears them', async () => {
    const res = await call(
      'POST',
      '/proxies/api/faults',
      JSON.stringify({ down: true, latency: { ms: 10 } }),
    );
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ name: 'api', faults: { down: true, latency: { ms: 10 } } });
    expect(api.faults.down).toBe(true);
    expect((await connectError(api.port)).code).toBe('ECONNREFUSED');
    // the other proxy is untouched
    await expect(get(db.port)).resolves.toMatchObject({ status: 200 });
    const cleared = await call('DELETE', '/proxies/api/faults');
    expect(cleared).toMatchObject({ status: 200, json: { faults: {} } });
    await expect(get(api.port)).resolves.toMatchObject({ status: 200 });
  });

  it('answers 400 naming the field for invalid faults, and keeps the old ones', async () => {
    await api.setFaults({ latency: { ms: 5 } });
    const bad = await call(
      'POST',
      '/proxies/api/faults',
      JSON.stringify({ bandwidth: { bytesPerSecond: -3 } }),
    );
    expect(bad.status).toBe(400);
    expect((bad.json as { error: string }).error).toMatch(/faults\.bandwidth\.bytesPerSecond/);
    const unknown = await call('POST', '/proxies/api/faults', JSON.stringify({ jitter: 1 }));
    expect(unknown.status).toBe(400);
    expect((unknown.json as { error: string }).error).toMatch(/faults\.jitter/);
    const notObject = await call('POST', '/proxies/api/faults', '[1]');
    expect(notObject.status).toBe(400);
    expect(api.faults).toEqual({ latency: { ms: 5, jitterMs: 0, direction: 'both' } });
  });

  it('answers 400 for invalid JSON and 404 for unknown proxies, and keeps serving', async () => {
    const bad = await call('POST', '/proxies/api/faults', '{"latency": ');
    expect(bad.status).toBe(400);
    expect((bad.json as { error: string }).error).toMatch(/not valid JSON/);
    expect((await call('POST', '/proxies/nope/faults', '{}')).status).toBe(404);
    expect((await call('GET', '/proxies/toString')).status).toBe(404);
    expect((await call('GET', '/other')).status).toBe(404);
    expect((await call('PATCH', '/proxies/api/faults', '{}')).status).toBe(405);
    expect((await call('GET', '/proxies/db')).json).toMatchObject({ name: 'db', port: db.port });
  });

  it('refuses bodies over 64 KiB with 413', async () => {
    const res = await call('POST', '/proxies/api/faults', `"${'x'.repeat(70_000)}"`);
    expect(res.status).toBe(413);
  });

  it('close() releases the listener', async () => {
    const port = control.port;
    await control.close();
    expect((await connectError(port)).code).toBe('ECONNREFUSED');
    await control.close(); // idempotent
  });

  it('validates its options', async () => {
    await expect(startProxyControl({ api }, { port: 70_000 })).rejects.toThrow(
      /port must be an integer port/,
    );
    await expect(startProxyControl(null as never)).rejects.toThrow(/proxies must be an object/);
  });
});
