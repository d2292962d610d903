// Real node:http test servers on 127.0.0.1:0 whose behaviour the test switches at will.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Fault =
  | { kind: 'ok' }
  | { kind: 'status'; status: number; headers?: Record<string, string> }
  | { kind: 'reset' }
  | { kind: 'hang' }
  | { kind: 'slow'; delayMs: number }
  | { kind: 'stream'; chunks: number };

export interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export class TestServer {
  readonly name: string;
  readonly seen: Seen[] = [];
  fault: Fault = { kind: 'ok' };
  #server: Server;
  #sockets = new Set<Socket>();
  #timers = new Set<NodeJS.Timeout>();
  port = 0;
  /** Resolvers for the next stream chunk (kind 'stream'). */
  #release: (() => void)[] = [];

  constructor(name: string) {
    this.name = name;
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.seen.push({
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString(),
        });
        const f = this.fault;
        switch (f.kind) {
          case 'ok':
            res.setHeader('x-server', this.name);
            res.end(`${this.name}:${Buffer.concat(chunks).toString()}`);
            return;
          case 'status':
            res.writeHead(f.status, { 'x-server': this.name, ...f.headers });
            res.end(`${this.name} says ${f.status}`);
            return;
          case 'reset':
            req.socket.destroy();
            return;
          case 'hang':
            return;
          case 'slow': {
            const t = setTimeout(() => {
              this.#timers.delete(t);
              res.setHeader('x-server', this.name);
              res.end(`${this.name}:slow`);
            }, f.delayMs);
            this.#timers.add(t);
            return;
          }
          case 'stream': {
            res.writeHead(200, { 'x-server': this.name });
            let left = f.chunks;
            const next = (): void => {
              if (left-- === 0) {
                res.end();
                return;
              }
              res.write(`chunk${f.chunks - left};`);
              this.#release.push(next);
            };
            next();
            return;
          }
        }
      });
    });
    this.#server.on('connection', (s) => {
      this.#sockets.add(s);
      s.on('close', () => this.#sockets.delete(s));
    });
  }

  /** Lets a streaming response write its next chunk; returns false if none is waiting. */
  releaseChunk(): boolean {
    const r = this.#release.shift();
    r?.();
    return r !== undefined;
  }

  async start(port = 0): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.#server.address() as AddressInfo).port;
    return this;
  }

  /** Open client connections. */
  get connections(): number {
    return this.#sockets.size;
  }

  get requests(): number {
    return this.seen.length;
  }

  /** Kills the server: every socket destroyed, the port closed. */
  async stop(): Promise<void> {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

export async function startServers(n: number, prefix = 's'): Promise<TestServer[]> {
  return Promise.all(Array.from({ length: n }, (_, i) => new TestServer(`${prefix}${i}`).start()));
}

/** Polls `cond` until true or the deadline passes (no fixed sleeps). */
export async function until(cond: () => boolean, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** Lets a test check whether a promise has settled yet, without awaiting it. */
export function watch<T>(promise: Promise<T>): { readonly promise: Promise<T>; readonly settled: boolean } {
  const w = { promise, settled: false };
  promise.then(
    () => {
      w.settled = true;
    },
    () => {
      w.settled = true;
    },
  );
  return w;
}

/**
 * A manually advanced clock. It counts its reads: while a call has a timed event pending, the
 * client's ticker reads the clock on every tick, so `ticked()` tells the test that the client has
 * looked at the current time (and acted on anything due) since the clock was last moved.
 */
export class TestClock {
  t = 1_000;
  reads = 0;
  now(): number {
    this.reads++;
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
  /** Resolves once the clock has been read `n` more times (the client's ticker has run). */
  async ticked(n = 3): Promise<void> {
    const want = this.reads + n;
    await until(() => this.reads >= want, 5_000, `${n} reads of the test clock`);
  }
}
