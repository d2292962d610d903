import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { type HttpFaultSpec, parseHttpFaults } from './http-faults-spec.js';
import { sampleLatency } from './latency-distribution.js';
import { type Random, seededRandom } from './random.js';
import { dripResponse } from './slow-body.js';
import { fn, integerIn, plainObject, show } from './validate.js';

export type Next = (error?: unknown) => void;

export interface HttpFaultsOptions {
  /** Initial faults. Default `{}` (pass everything through). */
  readonly faults?: HttpFaultSpec;
  /** Seed for the built-in PRNG (reproducible runs). Ignored when `random` is given. */
  readonly seed?: number;
  /** Uniform [0, 1) source for the per-request draws. Default: seeded PRNG when `seed` is set, else `Math.random`. */
  readonly random?: Random;
  /**
   * Path of an admin route (`GET` shows the faults, `POST` JSON replaces them). Off by default:
   * anyone who can reach it can break the service.
   */
  readonly adminPath?: string;
}

export interface HttpFaultStats {
  readonly requests: number;
  readonly delayed: number;
  readonly errors: number;
  readonly resets: number;
  readonly hangs: number;
  readonly slowBodies: number;
}

export interface HttpFaultsController {
  readonly faults: Readonly<HttpFaultSpec>;
  readonly stats: HttpFaultStats;
  /** Replaces the faults for requests that arrive from now on. Throws TypeError/RangeError naming the field. */
  set(faults: HttpFaultSpec): void;
  /** Passes every later request through, cancels pending delays and drops hung connections. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export type HttpFaultsMiddleware = ((req: IncomingMessage, res: ServerResponse, next: Next) => void) &
  HttpFaultsController;

export type HttpFaultsListener = RequestListener & HttpFaultsController;

const MAX_ADMIN_BODY = 64 * 1024;

class HttpFaultsCore {
  faults: Readonly<HttpFaultSpec>;
  readonly #random: Random;
  readonly #adminPath: string | undefined;
  readonly #timers = new Set<NodeJS.Timeout>();
  /** Responses held by a fault (delayed, hung, dripping): close() drops their connections. */
  readonly #held = new Set<ServerResponse>();
  #closed = false;
  #stats = { requests: 0, delayed: 0, errors: 0, resets: 0, hangs: 0, slowBodies: 0 };

  constructor(options: HttpFaultsOptions) {
    const o = plainObject('options', options);
    this.faults = parseHttpFaults(o.faults ?? {});
    if (o.random !== undefined) this.#random = fn<Random>('random', o.random);
    else if (o.seed !== undefined) this.#random = seededRandom(integerIn('seed', o.seed, 0, 0xffffffff));
    else this.#random = Math.random;
    if (o.adminPath !== undefined && (typeof o.adminPath !== 'string' || !o.adminPath.startsWith('/'))) {
      throw new TypeError(`adminPath must be a path starting with "/", got ${show(o.adminPath)}`);
    }
    this.#adminPath = o.adminPath;
  }

  get stats(): HttpFaultStats {
    return { ...this.#stats };
  }

  set(faults: HttpFaultSpec): void {
    this.faults = parseHttpFaults(faults);
  }

  close(): Promise<void> {
    this.#closed = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    for (const res of this.#held) res.socket?.destroy();
    this.#held.clear();
    return Promise.resolve();
  }

  handle(req: IncomingMessage, res: ServerResponse, next: Next): void {
    if (this.#adminPath !== undefined && req.url !== undefined && req.url.split('?')[0] === this.#adminPath) {
      this.#admin(req, res);
      return;
    }
    if (this.#closed) {
      next();
      return;
    }
    this.#stats.requests++;
    const f = this.faults;
    const random = this.#random;
    // Fixed draw order (latency, reset, hang, error, slow body) keeps a seeded run reproducible.
    const delay =
      f.latency !== undefined && random() < (f.latency.rate ?? 1)
        ? sampleLatency(f.latency.distribution, random)
        : -1;
    const outcome = (): void => {
      if (f.reset !== undefined && random() < f.reset.rate) {
        this.#stats.resets++;
        req.socket.resetAndDestroy();
        return;
      }
      if (f.hang !== undefined && random() < f.hang.rate) {
        this.#stats.hangs++;
        this.#hold(res);
        return;
      }
      if (f.error !== undefined && random() < f.error.rate) {
        this.#stats.errors++;
        const status = f.error.status ?? 503;
        const headers: Record<string, string> = { 'content-type': 'text/plain' };
        if (f.error.retryAfterSeconds !== undefined)
          headers['retry-after'] = String(f.error.retryAfterSeconds);
        res.writeHead(status, headers);
        res.end(`injected fault: ${status}\n`);
        return;
      }
      if (f.slowBody !== undefined && random() < f.slowBody.rate) {
        this.#stats.slowBodies++;
        this.#hold(res);
        dripResponse(res, f.slowBody.chunkBytes ?? 16, f.slowBody.delayMs, this.#timers);
      }
      next();
    };
    if (delay < 0) {
      outcome();
      return;
    }
    this.#stats.delayed++;
    this.#held.add(res);
    const t = setTimeout(() => {
      this.#timers.delete(t);
      res.off('close', cancel);
      this.#held.delete(res);
      outcome();
    }, delay);
    this.#timers.add(t);
    // The client left during the delay: nothing to answer.
    const cancel = (): void => {
      clearTimeout(t);
      this.#timers.delete(t);
      this.#held.delete(res);
    };
    res.once('close', cancel);
  }

  #hold(res: ServerResponse): void {
    this.#held.add(res);
    res.once('close', () => this.#held.delete(res));
  }

  #admin(req: IncomingMessage, res: ServerResponse): void {
    const reply = (status: number, body: unknown): void => {
      const text = JSON.stringify(body);
      res.writeHead(status, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(text),
      });
      res.end(text);
    };
    if (req.method === 'GET') {
      reply(200, { faults: this.faults, stats: this.stats });
      return;
    }
    if (req.method !== 'POST') {
      reply(405, { error: 'use GET or POST' });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_ADMIN_BODY) chunks.push(c);
    });
    req.on('end', () => {
      if (size > MAX_ADMIN_BODY) return reply(413, { error: `body larger than ${MAX_ADMIN_BODY} bytes` });
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch (e) {
        return reply(400, { error: `body is not valid JSON: ${(e as Error).message}` });
      }
      try {
        this.set(body as HttpFaultSpec);
      } catch (e) {
        return reply(400, { error: (e as Error).message });
      }
      reply(200, { faults: this.faults });
    });
  }
}

function attach<F extends object>(target: F, core: HttpFaultsCore): F & HttpFaultsController {
  const close = (): Promise<void> => core.close();
  return Object.defineProperties(target, {
    faults: { get: () => core.faults, enumerable: true },
    stats: { get: () => core.stats, enumerable: true },
    set: { value: (faults: HttpFaultSpec) => core.set(faults) },
    close: { value: close },
    [Symbol.asyncDispose]: { value: close },
  }) as F & HttpFaultsController;
}

/**
 * Connect/Express-style middleware that injects faults into a seeded share of requests; it is
 * also its own controller (`set`, `faults`, `stats`, `close`).
 */
export function httpFaults(options: HttpFaultsOptions = {}): HttpFaultsMiddleware {
  const core = new HttpFaultsCore(options);
  return attach((req: IncomingMessage, res: ServerResponse, next: Next) => core.handle(req, res, next), core);
}

/** Wraps a plain `node:http` request listener: `createServer(withHttpFaults(handler, options))`. */
export function withHttpFaults(
  listener: RequestListener,
  options: HttpFaultsOptions = {},
): HttpFaultsListener {
  fn<RequestListener>('listener', listener);
  const core = new HttpFaultsCore(options);
  return attach(
    (req: IncomingMessage, res: ServerResponse) => core.handle(req, res, () => listener(req, res)),
    core,
  );
}
