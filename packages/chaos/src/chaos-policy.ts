import { type Random, seededRandom } from './random.js';
import {
  boolean,
  fn,
  integerIn,
  knownKeys,
  nonNegativeNumber,
  plainObject,
  share,
  show,
} from './validate.js';

/** What an injected call gets instead of (or before) the real one. */
export type ChaosFault<TResult = never> =
  /** Wait this long, then make the real call. */
  | { readonly latencyMs: number }
  /** Reject with this error; the real call is not made. */
  | { readonly error: () => unknown }
  /** Resolve with this value; the real call is not made. */
  | { readonly result: () => TResult };

export interface ChaosOptions<TResult = never> {
  /** Share of calls injected, in [0, 1]. */
  readonly injectionRate: number;
  readonly fault: ChaosFault<TResult>;
  /** Seed for the built-in PRNG (reproducible runs). Ignored when `random` is given. */
  readonly seed?: number;
  /** Uniform [0, 1) source. Default: seeded PRNG when `seed` is set, else `Math.random`. */
  readonly random?: Random;
  /** Default true. Switch at run time with `policy.enabled`. */
  readonly enabled?: boolean;
}

export interface ChaosStats {
  readonly calls: number;
  readonly injected: number;
}

export interface ChaosContext {
  readonly signal: AbortSignal;
  readonly attempt?: number;
}

// One never-aborted signal for calls made without one (no AbortController per call).
const NEVER = new AbortController().signal;

type Kind<TResult> =
  | { readonly kind: 'latency'; readonly ms: number }
  | { readonly kind: 'error'; readonly make: () => unknown }
  | { readonly kind: 'result'; readonly make: () => TResult };

function parseFault<TResult>(value: unknown): Kind<TResult> {
  const f = plainObject('fault', value);
  if ('latencyMs' in f) {
    knownKeys('fault', f, ['latencyMs']);
    return { kind: 'latency', ms: nonNegativeNumber('fault.latencyMs', f.latencyMs) };
  }
  if ('error' in f) {
    knownKeys('fault', f, ['error']);
    return { kind: 'error', make: fn<() => unknown>('fault.error', f.error) };
  }
  if ('result' in f) {
    knownKeys('fault', f, ['result']);
    return { kind: 'result', make: fn<() => TResult>('fault.result', f.result) };
  }
  throw new TypeError(`fault must have one of latencyMs, error, result, got ${show(value)}`);
}

/** Client-side fault injection around a call (like Polly's Simmy chaos strategies). */
export class ChaosPolicy<TResult = never> {
  readonly #fault: Kind<TResult>;
  readonly #random: Random;
  #rate: number;
  #enabled: boolean;
  #calls = 0;
  #injected = 0;

  constructor(options: ChaosOptions<TResult>) {
    const o = plainObject('options', options);
    this.#rate = share('injectionRate', o.injectionRate);
    this.#fault = parseFault<TResult>(o.fault);
    if (o.random !== undefined) this.#random = fn<Random>('random', o.random);
    else if (o.seed !== undefined) this.#random = seededRandom(integerIn('seed', o.seed, 0, 0xffffffff));
    else this.#random = Math.random;
    this.#enabled = o.enabled === undefined ? true : boolean('enabled', o.enabled);
  }

  get enabled(): boolean {
    return this.#enabled;
  }

  set enabled(value: boolean) {
    this.#enabled = boolean('enabled', value);
  }

  get injectionRate(): number {
    return this.#rate;
  }

  set injectionRate(value: number) {
    this.#rate = share('injectionRate', value);
  }

  get stats(): ChaosStats {
    return { calls: this.#calls, injected: this.#injected };
  }

  /**
   * Runs `fn`, or injects the fault into this call. An abort (before or during injected latency)
   * rejects at once with the signal's reason and leaves no timer.
   */
  execute<T>(fn: (ctx: ChaosContext) => Promise<T> | T, signal?: AbortSignal): Promise<T | TResult> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    this.#calls++;
    // No draw while disabled, so switching off does not shift a seeded sequence's later decisions.
    const inject = this.#enabled && this.#rate > 0 && this.#random() < this.#rate;
    const ctx: ChaosContext = { signal: signal ?? NEVER };
    if (!inject) return run(fn, ctx);
    this.#injected++;
    const f = this.#fault;
    switch (f.kind) {
      case 'error':
        return Promise.reject(f.make());
      case 'result':
        return Promise.resolve(f.make());
      case 'latency':
        return delay(f.ms, signal).then(() => fn(ctx));
    }
  }
}

function run<T>(fn: (ctx: ChaosContext) => Promise<T> | T, ctx: ChaosContext): Promise<T> {
  try {
    return Promise.resolve(fn(ctx));
  } catch (e) {
    return Promise.reject(e);
  }
}

function delay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Creates a {@link ChaosPolicy}; options are validated here (RangeError/TypeError naming the option). */
export function chaos<TResult = never>(options: ChaosOptions<TResult>): ChaosPolicy<TResult> {
  return new ChaosPolicy(options);
}
