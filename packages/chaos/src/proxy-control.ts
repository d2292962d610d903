import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { FaultProxy } from './fault-proxy.js';
import { nonEmptyString, plainObject, port } from './validate.js';

export interface ProxyControlOptions {
  /** Default 0 (an ephemeral port). */
  readonly port?: number;
  /** Default '127.0.0.1'. Do not expose the control API beyond the test host. */
  readonly host?: string;
}

export interface ProxyControl {
  readonly port: number;
  /** e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Request bodies above this are refused (413): fault sets are tiny. */
const MAX_BODY = 64 * 1024;

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function describe(name: string, p: FaultProxy): unknown {
  return { name, port: p.port, address: p.address, faults: p.faults, stats: p.stats };
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        resolve(undefined);
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(size > MAX_BODY ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

async function handle(
  proxies: Readonly<Record<string, FaultProxy>>,
  req: IncomingMessage,
  res: ServerResponse,
) {
  const path = new URL(req.url ?? '/', 'http://control').pathname;
  if (path === '/proxies' || path === '/proxies/') {
    if (req.method !== 'GET') return send(res, 405, { error: 'use GET /proxies' });
    return send(
      res,
      200,
      Object.entries(proxies).map(([name, p]) => describe(name, p)),
    );
  }
  const m = /^\/proxies\/([^/]+)(\/faults)?\/?$/.exec(path);
  const name = m?.[1] === undefined ? undefined : decodeURIComponent(m[1]);
  const proxy = name !== undefined && Object.hasOwn(proxies, name) ? proxies[name] : undefined;
  if (m === null || name === undefined || proxy === undefined) {
    return send(res, 404, { error: `no such proxy or route: ${path}` });
  }
  if (m[2] === undefined) {
    if (req.method !== 'GET') return send(res, 405, { error: `use GET /proxies/${name}` });
    return send(res, 200, describe(name, proxy));
  }
  if (req.method === 'DELETE') {
    await proxy.setFaults({});
    return send(res, 200, describe(name, proxy));
  }
  if (req.method !== 'POST' && req.method !== 'PUT') {
    return send(res, 405, { error: `use POST or DELETE /proxies/${name}/faults` });
  }
  const text = await readBody(req);
  if (text === undefined) return send(res, 413, { error: `body larger than ${MAX_BODY} bytes` });
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    return send(res, 400, { error: `body is not valid JSON: ${(e as Error).message}` });
  }
  try {
    await proxy.setFaults(body as never);
  } catch (e) {
    if (e instanceof TypeError || e instanceof RangeError) return send(res, 400, { error: e.message });
    throw e;
  }
  return send(res, 200, describe(name, proxy));
}

/**
 * Serves a small JSON API over the given proxies:
 * `GET /proxies`, `GET /proxies/:name`, `POST /proxies/:name/faults` (replace), `DELETE /proxies/:name/faults` (clear).
 */
export async function startProxyControl(
  proxies: Readonly<Record<string, FaultProxy>>,
  options: ProxyControlOptions = {},
): Promise<ProxyControl> {
  plainObject('proxies', proxies);
  const o = plainObject('options', options);
  const listenPort = o.port === undefined ? 0 : port('port', o.port);
  const host = o.host === undefined ? '127.0.0.1' : nonEmptyString('host', o.host);
  const snapshot = Object.freeze({ ...proxies });
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    handle(snapshot, req, res).catch((e: unknown) => {
      if (!res.headersSent) send(res, 500, { error: e instanceof Error ? e.message : String(e) });
      else res.destroy();
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listenPort, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actual = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    });
    return closing;
  };
  return Object.freeze({
    port: actual,
    url: `http://${host}:${actual}`,
    close,
    [Symbol.asyncDispose]: close,
  });
}
