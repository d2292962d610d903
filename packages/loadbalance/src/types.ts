/** An addressable instance of a service, as discovery publishes it. Defined structurally: no package dependency. */
export interface Endpoint {
  readonly id: string;
  readonly host: string;
  readonly port: number;
  /** Relative weight for the weighted, ring-hash and Maglev policies (default 1). */
  readonly weight?: number;
  /** Zone / locality, for locality preference. */
  readonly zone?: string;
  readonly tags?: readonly string[];
  readonly meta?: Readonly<Record<string, string>>;
}

/** Milliseconds from an arbitrary origin; `performance.now()` by default. */
export interface Clock {
  now(): number;
}

/** Uniform in [0, 1); `Math.random` by default. */
export type Random = () => number;

/**
 * How a call ended, as the outlier detector understands it (Envoy's classification):
 * - `success`: any non-5xx response;
 * - `error`: a 5xx other than a gateway error;
 * - `gateway-error`: 502, 503 or 504;
 * - `local-origin-error`: connect failure, reset or timeout raised locally (no response);
 * - `cancelled`: the caller gave up for its own reasons; only releases the in-flight slot.
 */
export type Outcome = 'success' | 'error' | 'gateway-error' | 'local-origin-error' | 'cancelled';

/** Maps an HTTP status (or undefined for "no response") to an {@link Outcome}. */
export function outcomeFromStatus(status: number | undefined): Outcome {
  if (status === undefined) return 'local-origin-error';
  if (status === 502 || status === 503 || status === 504) return 'gateway-error';
  if (status >= 500 && status <= 599) return 'error';
  return 'success';
}

/** What a pick may depend on: an affinity key for ring-hash / Maglev. */
export interface PickRequest {
  /** A precomputed 32-bit hash of the affinity key (wins over `key`). */
  readonly hash?: number;
  /** The affinity key (user id, session id…), hashed with murmur3. */
  readonly key?: string;
}

/**
 * The handle for one endpoint, returned by every pick of that endpoint (the same object each
 * time, so a pick allocates nothing). Report the call through it: `start()` when the call is
 * sent, `done(latencyMs, outcome)` when it ends.
 */
export interface PickedEndpoint {
  readonly type: 'pick';
  readonly endpoint: Endpoint;
  /** Calls in flight on this endpoint (started, not yet done). */
  readonly inflight: number;
  /** Marks a call as started (in-flight + 1). */
  start(): void;
  /** Marks a started call as finished; feeds the latency EWMA and the outlier detector. */
  done(latencyMs: number, outcome?: Outcome, now?: number): void;
}

export type FailReason = 'no-endpoints' | 'no-healthy-endpoints' | 'closed';

export interface PickFailure {
  readonly type: 'fail';
  readonly reason: FailReason;
}

export type PickResult = PickedEndpoint | PickFailure;
