// Real upstreams on 127.0.0.1:0 and small client helpers for the proxy tests.
import { createServer as createHttpServer, type Server as HttpServer, request } from 'node:http';
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';

export interface Upstream {
  readonly port: number;
  close(): Promise<void>;
}

function track(server: Server | HttpServer): () => Promise<void> {
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  return () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    });
}

async function listen(server: Server | HttpServer): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return (server.address() as AddressInfo).port;
}

/** Echoes every byte back; ends when the client ends. */
export async function echoServer(): Promise<Upstream> {
  const server = createServer({ allowHalfOpen: true }, (s) => {
    s.on('error', () => {});
    s.pipe(s);
  });
  const close = track(server);
  return { port: await listen(server), close };
}

/** Answers every request with 200 and `hello`. */
export async function httpServer(): Promise<Upstream> {
  const server = createHttpServer((_req, res) => res.end('hello'));
  const close = track(server);
  return { port: await listen(server), close };
}

export interface HttpResult {
  readonly status: number;
  readonly body: string;
}

/** GET with a client-side timeout; rejects with the socket error or `timeout`. */
export function get(port: number, path = '/', timeoutMs = 5_000): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', reject);
    req.end();
  });
}

/** A connected raw TCP client that collects what it receives. */
export class RawClient {
  readonly socket: Socket;
  received = Buffer.alloc(0);
  error: NodeJS.ErrnoException | undefined;
  ended = false;
  closed = false;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (c: Buffer) => {
      this.received = Buffer.concat([this.received, c]);
    });
    socket.on('end', () => {
      this.ended = true;
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      this.error = e;
    });
    socket.on('close', () => {
      this.closed = true;
    });
  }

  static open(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
      s.once('connect', () => {
        s.off('error', reject);
        resolve(new RawClient(s));
      });
      s.once('error', reject);
    });
  }
}

// Taken before any test fakes them (vi.useFakeTimers): `until` polls in real time either way.
const realSetTimeout = setTimeout;
const realNow = performance.now.bind(performance);

/** Polls `cond` until true or the deadline passes (no fixed sleeps); real time, even under fake timers. */
export async function until(cond: () => boolean, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const end = realNow() + timeoutMs;
  while (!cond()) {
    if (realNow() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => realSetTimeout(r, 2));
  }
}

/** Resolves with the error a plain TCP connect gets (or rejects if it connects). */
export function connectError(port: number): Promise<NodeJS.ErrnoException> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      reject(new Error('connected'));
    });
    s.once('error', resolve);
  });
}
