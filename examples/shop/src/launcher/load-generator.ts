// Open-loop load on the frontend: request i is due at i / rate seconds whatever happened to earlier ones, and
// its latency is measured from that due time, so a slow shop shows up as latency, not as fewer requests
// (no coordinated omission). Success = a 2xx answer.
import { Pool } from 'undici';
import { type Clock, performanceClock } from './clock.js';
import { LatencyHistogram } from './latency-histogram.js';
import type { Random } from './random.js';

export type RequestKind = 'products' | 'product' | 'cart-add' | 'cart-get';

/** The mix of requests, as cumulative shares: 40 % list, 30 % product page, 15 % cart add, 15 % cart read. */
const MIX: readonly (readonly [RequestKind, number])[] = [
  ['products', 0.4],
  ['product', 0.7],
  ['cart-add', 0.85],
  ['cart-get', 1],
];

export interface LoadGeneratorOptions {
  /** `http://127.0.0.1:8080` */
  readonly origin: string;
  /** Requests started per second. */
  readonly rate: number;
  readonly random: Random;
  readonly clock?: Clock;
  /** Sockets to the frontend. Default 64. */
  readonly connections?: number;
  /** A request that has not answered in this time fails. Default 5 s. */
  readonly timeoutMs?: number;
  /** Distinct cart users. Default 20. */
  readonly users?: number;
  /** Requests outstanding beyond which new ones fail at once instead of piling up. Default 2000. */
  readonly maxInFlight?: number;
  /** Every finished request: when it was due (clock ms), its latency and whether it got a 2xx. */
  readonly onResult?: (dueAt: number, latencyMs: number, ok: boolean) => void;
}

export interface LoadCounters {
  requests: number;
  ok: number;
  failed: number;
}

/** Counters and latencies since the last `takeWindow()`. */
export interface LoadWindow extends LoadCounters {
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export class LoadGenerator {
  readonly total = new LatencyHistogram();
  readonly #window = new LatencyHistogram();
  readonly totals: LoadCounters = { requests: 0, ok: 0, failed: 0 };
  #windowCounts: LoadCounters = { requests: 0, ok: 0, failed: 0 };
  /** Why requests failed: `503`, `ECONNREFUSED`, `UND_ERR_HEADERS_TIMEOUT`… */
  readonly failures = new Map<string, number>();

  readonly #pool: Pool;
  readonly #clock: Clock;
  readonly #random: Random;
  readonly #users: number;
  readonly #maxInFlight: number;
  readonly #onResult: ((dueAt: number, latencyMs: number, ok: boolean) => void) | undefined;
  #rate: number;
  #t0 = 0;
  #issued = 0;
  #inFlight = 0;
  #timer: NodeJS.Timeout | undefined;
  #productIds: readonly string[] = [];
  #idle: (() => void) | undefined;
  #closed = false;

  constructor(options: LoadGeneratorOptions) {
    const o = { connections: 64, timeoutMs: 5_000, users: 20, maxInFlight: 2_000, ...options };
    if (!(o.rate > 0)) throw new RangeError(`rate must be a positive number, got ${o.rate}`);
    for (const k of ['connections', 'timeoutMs', 'users', 'maxInFlight'] as const) {
      if (!Number.isInteger(o[k]) || o[k] < 1)
        throw new RangeError(`${k} must be a positive integer, got ${o[k]}`);
    }
    this.#rate = o.rate;
    this.#clock = o.clock ?? performanceClock;
    this.#random = o.random;
    this.#users = o.users;
    this.#maxInFlight = o.maxInFlight;
    this.#onResult = o.onResult;
    this.#pool = new Pool(o.origin, {
      connections: o.connections,
      headersTimeout: o.timeoutMs,
      bodyTimeout: o.timeoutMs,
      connect: { timeout: o.timeoutMs },
    });
  }

  get rate(): number {
    return this.#rate;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  get running(): boolean {
    return this.#timer !== undefined;
  }

  /** Starts (or restarts) issuing at the current rate. */
  start(): void {
    if (this.#closed) throw new Error('the load generator is closed');
    if (this.#timer !== undefined) return;
    this.#t0 = this.#clock.now();
    this.#issued = 0;
    this.#tick();
  }

  /** Changes the rate from now on (the schedule restarts at the new rate). */
  setRate(rate: number): void {
    if (!(rate > 0)) throw new RangeError(`rate must be a positive number, got ${rate}`);
    this.#rate = rate;
    this.#t0 = this.#clock.now();
    this.#issued = 0;
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#tick();
    }
  }

  /** Stops issuing; requests in flight go on and are still counted. */
  pause(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Counters and percentiles since the previous call; starts a new window. */
  takeWindow(): LoadWindow {
    const w = {
      ...this.#windowCounts,
      p50Ms: this.#window.percentile(0.5),
      p99Ms: this.#window.percentile(0.99),
    };
    this.#windowCounts = { requests: 0, ok: 0, failed: 0 };
    this.#window.reset();
    return w;
  }

  /** Stops issuing, waits for the requests in flight (each bounded by `timeoutMs`) and closes the sockets. */
  async close(): Promise<void> {
    this.pause();
    this.#closed = true;
    await this.drain();
    await this.#pool.close();
  }

  /** Resolves when no request is in flight (each is bounded by `timeoutMs`). */
  async drain(): Promise<void> {
    if (this.#inFlight === 0) return;
    const previous = this.#idle;
    await new Promise<void>((resolve) => {
      this.#idle = () => {
        previous?.();
        resolve();
      };
    });
  }

  // One timer for the next due request (not a fixed tick, whose granularity would show up as latency);
  // everything already due when it fires is sent at once.
  #tick(): void {
    const interval = 1000 / this.#rate;
    const now = this.#clock.now();
    while (this.#t0 + this.#issued * interval <= now) {
      const dueAt = this.#t0 + this.#issued * interval;
      this.#issued++;
      this.#send(dueAt);
    }
    const next = this.#t0 + this.#issued * interval;
    this.#timer = setTimeout(() => this.#tick(), Math.max(0, next - this.#clock.now()));
  }

  #pickKind(): RequestKind {
    const r = this.#random();
    for (const [kind, upTo] of MIX) if (r < upTo) return kind;
    return 'products';
  }

  /** One request of the given kind; kinds that need a product id fall back to the list until ids are known. */
  #build(wanted: RequestKind): { kind: RequestKind; path: string; method: 'GET' | 'POST'; body?: string } {
    const ids = this.#productIds;
    const kind = ids.length === 0 && (wanted === 'product' || wanted === 'cart-add') ? 'products' : wanted;
    const user = `user-${1 + Math.floor(this.#random() * this.#users)}`;
    const id = ids[Math.floor(this.#random() * ids.length)] ?? '';
    switch (kind) {
      case 'products':
        return { kind, path: '/api/products', method: 'GET' };
      case 'product':
        return { kind, path: `/api/products/${encodeURIComponent(id)}`, method: 'GET' };
      case 'cart-get':
        return { kind, path: `/api/cart/${user}`, method: 'GET' };
      case 'cart-add':
        return {
          kind,
          path: `/api/cart/${user}/items`,
          method: 'POST',
          body: JSON.stringify({ productId: id, quantity: 1 + Math.floor(this.#random() * 3) }),
        };
    }
  }

  /** Sends one request; resolves with a failure reason, or undefined on a 2xx. Never rejects. */
  async #request(wanted: RequestKind): Promise<string | undefined> {
    const r = this.#build(wanted);
    try {
      const res = await this.#pool.request({
        path: r.path,
        method: r.method,
        body: r.body,
        headers: r.body === undefined ? {} : { 'content-type': 'application/json' },
      });
      const ok = res.statusCode >= 200 && res.statusCode < 300;
      if (ok && r.kind === 'products' && this.#productIds.length === 0) {
        this.#learnIds(await res.body.json().catch(() => undefined));
      } else {
        await res.body.dump();
      }
      return ok ? undefined : String(res.statusCode);
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      return typeof code === 'string' ? code : String(err);
    }
  }

  /**
   * A few rounds of every kind of request, not counted: opens the sockets, warms the JIT on both sides and
   * learns the product ids, so the first second of the run measures the shop rather than its cold start.
   */
  async warmUp(rounds = 5): Promise<void> {
    const kinds: RequestKind[] = ['products', 'product', 'cart-add', 'cart-get'];
    for (let i = 0; i < rounds; i++) await Promise.all(kinds.map((k) => this.#request(k)));
  }

  #send(dueAt: number): void {
    if (this.#inFlight >= this.#maxInFlight) {
      this.#done(dueAt, 'launcher overloaded', false);
      return;
    }
    this.#inFlight++;
    void this.#request(this.#pickKind()).then((failure) => this.#done(dueAt, failure, true));
  }

  #learnIds(list: unknown): void {
    if (!Array.isArray(list)) return;
    const ids = list
      .map((p) => (p as { id?: unknown }).id)
      .filter((id) => typeof id === 'string' || typeof id === 'number')
      .map(String);
    if (ids.length > 0) this.#productIds = Object.freeze(ids);
  }

  #done(dueAt: number, failure: string | undefined, wasInFlight: boolean): void {
    if (wasInFlight) this.#inFlight--;
    const ms = this.#clock.now() - dueAt;
    this.total.record(ms);
    this.#window.record(ms);
    this.#onResult?.(dueAt, ms, failure === undefined);
    this.totals.requests++;
    this.#windowCounts.requests++;
    if (failure === undefined) {
      this.totals.ok++;
      this.#windowCounts.ok++;
    } else {
      this.totals.failed++;
      this.#windowCounts.failed++;
      this.failures.set(failure, (this.failures.get(failure) ?? 0) + 1);
    }
    if (this.#inFlight === 0 && this.#idle !== undefined) {
      const idle = this.#idle;
      this.#idle = undefined;
      idle();
    }
  }
}
