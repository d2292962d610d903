import { type AddressInfo, createConnection, createServer, type Server, type Socket } from 'node:net';
import { ProxyClosedError } from './errors.js';
import { type ProxyFaults, parseFaults } from './proxy-faults.js';
import { Pipe, type PipeHost } from './proxy-pipe.js';
import type { Random } from './random.js';
import { fn, nonEmptyString, plainObject, port } from './validate.js';

export interface FaultProxyOptions {
  /** Where connections are forwarded. */
  readonly upstream: { readonly host: string; readonly port: number };
  /** Where the proxy listens. Default `{ host: '127.0.0.1', port: 0 }` (an ephemeral port). */
  readonly listen?: { readonly host?: string; readonly port?: number };
  /** Initial faults. Default `{}` (a clean pipe). */
  readonly faults?: ProxyFaults;
  /** Uniform [0, 1) source for latency jitter. Default `Math.random`. */
  readonly random?: Random;
}

export interface FaultProxyStats {
  /** Connections accepted (including those reset at once). */
  readonly connectionsAccepted: number;
  /** Connections currently open. */
  readonly connectionsActive: number;
  /** Connections the proxy reset (RST) on purpose. */
  readonly connectionsReset: number;
  /** Bytes read from clients (flowing upstream). */
  readonly bytesUpstream: number;
  /** Bytes read from the upstream (flowing downstream). */
  readonly bytesDownstream: number;
}

export interface FaultProxy {
  /** The port the proxy listens on (kept across `down`). */
  readonly port: number;
  readonly address: string;
  /** The current faults (frozen). */
  readonly faults: Readonly<ProxyFaults>;
  readonly stats: FaultProxyStats;
  /**
   * Replaces the faults; new data follows them at once. Resolves when the listener state matches
   * `down`. Throws TypeError/RangeError naming the bad field, ProxyClosedError after close.
   */
  setFaults(faults: ProxyFaults): Promise<void>;
  /** Stops listening and destroys every connection and timer. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

interface Connection {
  readonly client: Socket;
  readonly upstream: Socket;
  readonly pipes: readonly Pipe[];
}

class FaultProxyImpl implements FaultProxy, PipeHost {
  readonly address: string;
  port = 0;
  faults: Readonly<ProxyFaults>;
  readonly random: Random;
  readonly #upstream: { readonly host: string; readonly port: number };
  readonly #connections = new Set<Connection>();
  #server: Server | undefined;
  /** Serialises listen/close of the listener. */
  #listening: Promise<void> = Promise.resolve();
  /** Resolve when listeners closed by `down`/`close` have let go of their handle. */
  #serversClosing: Promise<void>[] = [];
  #closed = false;
  #accepted = 0;
  #reset = 0;
  #bytesUp = 0;
  #bytesDown = 0;

  constructor(options: FaultProxyOptions) {
    const o = plainObject('options', options);
    const up = plainObject('upstream', o.upstream);
    this.#upstream = Object.freeze({
      host: nonEmptyString('upstream.host', up.host),
      port: port('upstream.port', up.port),
    });
    const listen = o.listen === undefined ? {} : plainObject('listen', o.listen);
    this.address = listen.host === undefined ? '127.0.0.1' : nonEmptyString('listen.host', listen.host);
    this.port = listen.port === undefined ? 0 : port('listen.port', listen.port);
    this.random = o.random === undefined ? Math.random : fn<Random>('random', o.random);
    this.faults = parseFaults(o.faults ?? {});
  }

  get stats(): FaultProxyStats {
    return {
      connectionsAccepted: this.#accepted,
      connectionsActive: this.#connections.size,
      connectionsReset: this.#reset,
      bytesUpstream: this.#bytesUp,
      bytesDownstream: this.#bytesDown,
    };
  }

  count(way: 'upstream' | 'downstream', bytes: number): void {
    if (way === 'upstream') this.#bytesUp += bytes;
    else this.#bytesDown += bytes;
  }

  start(): Promise<void> {
    return this.#syncListener();
  }

  async setFaults(faults: ProxyFaults): Promise<void> {
    if (this.#closed) throw new ProxyClosedError();
    const next = parseFaults(faults);
    this.faults = next;
    const reset = next.reset;
    if (typeof reset === 'object' && reset.existing === true) {
      for (const c of this.#connections) this.#resetConnection(c);
    }
    for (const c of this.#connections) for (const p of c.pipes) p.refresh();
    await this.#syncListener();
  }

  #syncListener(): Promise<void> {
    this.#listening = this.#listening.then(
      () => this.#applyListener(),
      () => this.#applyListener(),
    );
    return this.#listening;
  }

  async #applyListener(): Promise<void> {
    const wantUp = !this.#closed && this.faults.down !== true;
    if (wantUp && this.#server === undefined) {
      // A fresh server per up-phase: connections are tracked here, not by the server.
      const server = createServer({ allowHalfOpen: true, pauseOnConnect: false }, (s) => this.#accept(s));
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(this.port, this.address, () => {
          server.off('error', reject);
          resolve();
        });
      });
      this.port = (server.address() as AddressInfo).port;
      this.#server = server;
    } else if (!wantUp && this.#server !== undefined) {
      const server = this.#server;
      this.#server = undefined;
      // close() stops accepting now; its callback waits for connections, which we own instead.
      this.#serversClosing.push(new Promise<void>((r) => server.close(() => r())));
    }
  }

  #accept(client: Socket): void {
    this.#accepted++;
    if (this.#closed) {
      client.destroy();
      return;
    }
    const reset = this.faults.reset;
    if (typeof reset === 'object' && reset.new === true) {
      this.#reset++;
      client.on('error', () => {});
      client.resetAndDestroy();
      return;
    }
    const upstream = createConnection({
      host: this.#upstream.host,
      port: this.#upstream.port,
      allowHalfOpen: true,
    });
    const c: Connection = {
      client,
      upstream,
      pipes: [new Pipe(this, 'upstream', client, upstream), new Pipe(this, 'downstream', upstream, client)],
    };
    this.#connections.add(c);
    let open = 2;
    const closed = (): void => {
      if (--open === 0) this.#drop(c);
    };
    // An error on one side ends the whole connection; a peer reset is passed on as a reset.
    client.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ECONNRESET' && !upstream.destroyed) upstream.resetAndDestroy();
      else upstream.destroy();
    });
    upstream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ECONNRESET' && !client.destroyed) client.resetAndDestroy();
      else client.destroy();
    });
    client.on('close', () => {
      c.pipes[1]?.stop();
      closed();
    });
    upstream.on('close', () => {
      c.pipes[0]?.stop();
      closed();
    });
  }

  #resetConnection(c: Connection): void {
    this.#reset++;
    for (const p of c.pipes) p.stop();
    if (!c.client.destroyed) c.client.resetAndDestroy();
    c.upstream.destroy();
  }

  #drop(c: Connection): void {
    for (const p of c.pipes) p.stop();
    this.#connections.delete(c);
  }

  async close(): Promise<void> {
    if (this.#closed) return this.#listening;
    this.#closed = true;
    for (const c of this.#connections) {
      for (const p of c.pipes) p.stop();
      c.client.destroy();
      c.upstream.destroy();
    }
    await this.#syncListener();
    // Sockets emit 'close' on a later tick; wait for them so no handle outlives close().
    const pending = [...this.#connections].flatMap((c) => [c.client, c.upstream]).filter((s) => !s.closed);
    await Promise.all(pending.map((s) => new Promise<void>((r) => s.once('close', () => r()))));
    await Promise.all(this.#serversClosing);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * Starts a TCP proxy on `listen` (default 127.0.0.1, an ephemeral port) that forwards to
 * `upstream` and injects the faults set with `setFaults`.
 */
export async function createFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const proxy = new FaultProxyImpl(options);
  await proxy.start();
  return proxy;
}
