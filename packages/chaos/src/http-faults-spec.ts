import { type LatencyDistribution, parseDistribution } from './latency-distribution.js';
import { integerIn, knownKeys, nonNegativeNumber, plainObject, positiveNumber, share } from './validate.js';

/** The faults a `httpFaults` middleware injects; each picks its own seeded share of requests. */
export interface HttpFaultSpec {
  /** Delay before the request reaches the handler. */
  readonly latency?: { readonly rate?: number; readonly distribution: LatencyDistribution };
  /** Answer with `status` (default 503) instead of calling the handler. */
  readonly error?: {
    readonly rate: number;
    readonly status?: number;
    /** Sent as `Retry-After` (seconds) when set. */
    readonly retryAfterSeconds?: number;
  };
  /** Destroy the connection with RST before answering. */
  readonly reset?: { readonly rate: number };
  /** Never answer (the request stays open until the client gives up or the middleware closes). */
  readonly hang?: { readonly rate: number };
  /** Let the handler answer, but send its body in `chunkBytes` pieces `delayMs` apart. */
  readonly slowBody?: { readonly rate: number; readonly chunkBytes?: number; readonly delayMs: number };
}

export function parseHttpFaults(value: unknown, name = 'faults'): Readonly<HttpFaultSpec> {
  const o = plainObject(name, value);
  knownKeys(name, o, ['latency', 'error', 'reset', 'hang', 'slowBody']);
  const out: { -readonly [K in keyof HttpFaultSpec]: HttpFaultSpec[K] } = {};
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
    knownKeys(`${name}.error`, e, ['rate', 'status', 'retryAfterSeconds']);
    const retry =
      e.retryAfterSeconds === undefined
        ? {}
        : { retryAfterSeconds: nonNegativeNumber(`${name}.error.retryAfterSeconds`, e.retryAfterSeconds) };
    out.error = Object.freeze({
      rate: share(`${name}.error.rate`, e.rate),
      status: e.status === undefined ? 503 : integerIn(`${name}.error.status`, e.status, 400, 599),
      ...retry,
    });
  }
  for (const key of ['reset', 'hang'] as const) {
    if (o[key] === undefined) continue;
    const r = plainObject(`${name}.${key}`, o[key]);
    knownKeys(`${name}.${key}`, r, ['rate']);
    out[key] = Object.freeze({ rate: share(`${name}.${key}.rate`, r.rate) });
  }
  if (o.slowBody !== undefined) {
    const s = plainObject(`${name}.slowBody`, o.slowBody);
    knownKeys(`${name}.slowBody`, s, ['rate', 'chunkBytes', 'delayMs']);
    out.slowBody = Object.freeze({
      rate: share(`${name}.slowBody.rate`, s.rate),
      chunkBytes:
        s.chunkBytes === undefined ? 16 : integerIn(`${name}.slowBody.chunkBytes`, s.chunkBytes, 1, 1 << 20),
      delayMs: positiveNumber(`${name}.slowBody.delayMs`, s.delayMs),
    });
  }
  return Object.freeze(out);
}
