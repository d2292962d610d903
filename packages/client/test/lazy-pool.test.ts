// An endpoint's undici Pool exists only once a request needs it, and never after the endpoint left.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { LazyPool } from '../src/http/lazy-pool.js';

function handler() {
  const seen: { status?: number; error?: Error; body: string } = { body: '' };
  const done = new Promise<void>((resolve) => {
    Object.assign(seen, {
      h: {
        onConnect() {},
        onHeaders(status: number) {
          seen.status = status;
          return true;
        },
        onData(chunk: Buffer) {
          seen.body += chunk.toString();
          return true;
        },
        onComplete() {
          resolve();
        },
        onError(err: Error) {
          seen.error = err;
          resolve();
        },
      },
    });
  });
  return { seen, done, h: (seen as unknown as { h: never }).h };
}

describe('LazyPool', () => {
  it('creates its Pool on the first request only', async () => {
    const server = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const lazy = new LazyPool(`http://127.0.0.1:${port}`, {});
    try {
      expect(lazy.pool).toBeUndefined();
      const a = handler();
      lazy.dispatch({ path: '/', method: 'GET' }, a.h);
      await a.done;
      expect(a.seen).toMatchObject({ status: 200, body: 'ok' });
      const pool = lazy.pool;
      expect(pool).toBeDefined();
      const b = handler();
      lazy.dispatch({ path: '/', method: 'GET' }, b.h);
      await b.done;
      expect(lazy.pool).toBe(pool); // reused, not recreated
    } finally {
      await lazy.markClosed()?.close();
      await new Promise((r) => server.close(r));
    }
  });

  it('after markClosed, never creates a Pool and fails the request as a closed client', async () => {
    const lazy = new LazyPool('http://127.0.0.1:9', {});
    expect(lazy.markClosed()).toBeUndefined();
    const a = handler();
    expect(lazy.dispatch({ path: '/', method: 'GET' }, a.h)).toBe(false);
    await a.done;
    expect((a.seen.error as { code?: string }).code).toBe('UND_ERR_CLOSED');
    expect(lazy.pool).toBeUndefined();
  });
});
