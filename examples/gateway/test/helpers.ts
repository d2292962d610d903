// Test helpers: recording node:http backends on 127.0.0.1:0 and a raw node:http client (so
// hop-by-hop headers can be sent, which undici refuses to send).
import { once } from 'node:events';
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
}

export type BackendHandler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

export interface Backend {
  readonly id: string;
  readonly port: number;
  readonly server: Server;
  readonly requests: Recorded[];
  handler: BackendHandler;
  close(): Promise<void>;
}

/** Echoes what it got as JSON: `{ id, method, url, headers, body }`. */
export const echo =
  (id: string): BackendHandler =>
  (req, res, body) => {
    const text = JSON.stringify({
      id,
      method: req.method,
      url: req.url,
      headers: req.headers,
      body: body.toString(),
    });
    res.writeHead(200, { 'content-type': 'application/json', 'x-backend': id });
    res.end(text);
  };

export async function startBackend(id: string, handler: BackendHandler = echo(id)): Promise<Backend> {
  const requests: Recorded[] = [];
  const backend = {
    id,
    port: 0,
    requests,
    handler,
  } as { -readonly [K in keyof Backend]: Backend[K] };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      requests.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        rawHeaders: req.rawHeaders,
        body,
      });
      backend.handler(req, res, body);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  backend.server = server;
  backend.port = (server.address() as AddressInfo).port;
  backend.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return backend;
}

export interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  json<T = Record<string, unknown>>(): T;
}

export interface SendOptions {
  method?: string;
  headers?: OutgoingHttpHeaders;
  body?: string | Buffer;
}

/** One request on a fresh connection (agent: false), whole body read. */
export function send(port: number, path: string, o: SendOptions = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path, method: o.method ?? 'GET', headers: o.headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            json: <T>() => JSON.parse(body.toString()) as T,
          });
        });
      },
    );
    req.on('error', reject);
    req.end(o.body);
  });
}

/** Polls `fn` until it returns true or `ms` pass (no fixed sleeps). */
export async function until(fn: () => boolean | Promise<boolean>, ms = 5_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (performance.now() < deadline) {
    if (await fn()) return;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error(`condition not met within ${ms} ms`);
}

/** TCP sockets, servers and timers alive in this process. */
export function resources(): { sockets: number; servers: number; timers: number } {
  const all = process.getActiveResourcesInfo();
  return {
    sockets: all.filter((r) => r === 'TCPSocketWrap').length,
    servers: all.filter((r) => r === 'TCPServerWrap').length,
    timers: all.filter((r) => r === 'Timeout').length,
  };
}
