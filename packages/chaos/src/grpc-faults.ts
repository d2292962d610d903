import { type LatencyDistribution, parseDistribution, sampleLatency } from './latency-distribution.js';
import { type Random, seededRandom } from './random.js';
import { fn, integerIn, knownKeys, plainObject, share } from './validate.js';

// Structural grpc-js types, so this package needs no runtime (or type) dependency on @grpc/grpc-js.

/** The error a unary handler passes to its callback; grpc-js reads `code` and `details`. */
export interface GrpcStatusError extends Error {
  readonly code: number;
  readonly details: string;
}

/** Any two-argument unary handler, e.g. grpc-js `handleUnaryCall<Req, Res>`. */
export type GrpcUnaryHandlerLike = (call: never, callback: never) => void;

// What the wrapper needs of a handler internally.
type Callback = (error: GrpcStatusError | null) => void;
type Handler = (call: unknown, callback: Callback) => void;

/** gRPC status codes used here (from grpc/status.proto). */
const UNAVAILABLE = 14;
const CANCELLED = 1;

export interface GrpcFaultSpec {
  /** Delay before the handler runs. */
  readonly latency?: { readonly rate?: number; readonly distribution: LatencyDistribution };
  /** Fail the call with `code` (default 14 UNAVAILABLE) without running the handler. */
  readonly error?: { readonly rate: number; readonly code?: number; readonly details?: string };
  /** Never answer (until the client's deadline, or `close()`, which answers CANCELLED). */
  readonly hang?: { readonly rate: number };
}

export interface GrpcFaultsOptions {
  readonly faults?: GrpcFaultSpec;
  /** Seed for the built-in PRNG. Ignored when `random` is given. */
  readonly seed?: number;
  /** Uniform [0, 1) source. Default: seeded PRNG when `seed` is set, else `Math.random`. */
  readonly random?: Random;
}

export interface GrpcFaultStats {
  readonly calls: number;
  readonly delayed: number;
  readonly errors: number;
  readonly hangs: number;
}

export function parseGrpcFaults(value: unknown, name = 'faults'): Readonly<GrpcFaultSpec> {
  const o = plainObject(name, value);
  knownKeys(name, o, ['latency', 'error', 'hang']);
  const out: { -readonly [K in keyof GrpcFaultSpec]: GrpcFaultSpec[K] } = {};
  if (o.latency !== undefined) {
    const l = plainObject(`${name}.latency`, o.latency);
    knownKeys(`${name}.latency`, l, ['rate', 'distribution']);
    out.latency = Object.freeze({
      rate: l.rate === undefined ? 1 : share(`${name}.latency.rate`, l.rate),
      distribution: parseDistribution(`${name}.latency.distribution`, l.distribution),
    });
  }
  if (o.error !== undefined) {
    const e = plainObject(`${name}.error`, o.error);
    knownKeys(`${name}.error`, e, ['rate', 'code', 'details']);
    if (e.details !== undefined && typeof e.details !== 'string') {
      throw new TypeError(`${name}.error.details must be a string`);
    }
    out.error = Object.freeze({
      rate: share(`${name}.error.rate`, e.rate),
      code: e.code === undefined ? UNAVAILABLE : integerIn(`${name}.error.code`, e.code, 1, 16),
      details: (e.details as string | undefined) ?? 'injected fault',
    });
  }
  if (o.hang !== undefined) {
    const h = plainObject(`${name}.hang`, o.hang);
    knownKeys(`${name}.hang`, h, ['rate']);
    out.hang = Object.freeze({ rate: share(`${name}.hang.rate`, h.rate) });
  }
  return Object.freeze(out);
}

function statusError(code: number, details: string): GrpcStatusError {
  return Object.assign(new Error(`${code} ${details}`), { code, details });
}

/** Fault injection for grpc-js unary handlers: wrap each handler (or a whole implementation). */
export class GrpcFaults {
  #faults: Readonly<GrpcFaultSpec>;
  readonly #random: Random;
  readonly #timers = new Set<NodeJS.Timeout>();
  /** Callbacks of hung or delayed calls: close() answers them CANCELLED. */
  readonly #held = new Set<Callback>();
  #closed = false;
  #stats = { calls: 0, delayed: 0, errors: 0, hangs: 0 };

  constructor(options: GrpcFaultsOptions = {}) {
    const o = plainObject('options', options);
    this.#faults = parseGrpcFaults(o.faults ?? {});
    if (o.random !== undefined) this.#random = fn<Random>('random', o.random);
    else if (o.seed !== undefined) this.#random = seededRandom(integerIn('seed', o.seed, 0, 0xffffffff));
    else this.#random = Math.random;
  }

  get faults(): Readonly<GrpcFaultSpec> {
    return this.#faults;
  }

  get stats(): GrpcFaultStats {
    return { ...this.#stats };
  }

  /** Replaces the faults for later calls. Throws TypeError/RangeError naming the field. */
  set(faults: GrpcFaultSpec): void {
    this.#faults = parseGrpcFaults(faults);
  }

  /** Wraps one unary handler. */
  wrap<H extends GrpcUnaryHandlerLike>(handler: H): H {
    const h = fn<Handler>('handler', handler);
    const wrapped: Handler = (call, callback) => this.#handle(call, callback, h);
    return wrapped as unknown as H;
  }

  /** Wraps every function of a service implementation (all assumed unary). */
  wrapService<S extends Record<string, GrpcUnaryHandlerLike>>(implementation: S): S {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(plainObject('implementation', implementation))) {
      out[k] = typeof v === 'function' ? this.wrap(v as GrpcUnaryHandlerLike) : v;
    }
    return out as S;
  }

  #handle(call: unknown, callback: Callback, handler: Handler): void {
    if (this.#closed) {
      handler(call, callback);
      return;
    }
    this.#stats.calls++;
    const f = this.#faults;
    const random = this.#random;
    const outcome = (): void => {
      if (f.hang !== undefined && random() < f.hang.rate) {
        this.#stats.hangs++;
        this.#held.add(callback);
        return;
      }
      if (f.error !== undefined && random() < f.error.rate) {
        this.#stats.errors++;
        callback(statusError(f.error.code ?? UNAVAILABLE, f.error.details ?? 'injected fault'));
        return;
      }
      handler(call, callback);
    };
    if (f.latency === undefined || random() >= (f.latency.rate ?? 1)) {
      outcome();
      return;
    }
    this.#stats.delayed++;
    const held = callback;
    this.#held.add(held);
    const t = setTimeout(
      () => {
        this.#timers.delete(t);
        this.#held.delete(held);
        outcome();
      },
      sampleLatency(f.latency.distribution, random),
    );
    this.#timers.add(t);
  }

  /** Cancels pending delays, answers held calls CANCELLED, and passes later calls through. */
  close(): Promise<void> {
    this.#closed = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    for (const cb of this.#held) cb(statusError(CANCELLED, 'fault injection closed'));
    this.#held.clear();
    return Promise.resolve();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** Creates a {@link GrpcFaults} controller. */
export function grpcFaults(options: GrpcFaultsOptions = {}): GrpcFaults {
  return new GrpcFaults(options);
}
