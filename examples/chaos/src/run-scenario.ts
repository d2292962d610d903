import diagnostics from 'node:diagnostics_channel';
import { performance } from 'node:perf_hooks';
import { ConsecutiveFailures } from '@breakwater/breaker';
import { createHttpClient, type Dashboard } from '@breakwater/client';
import { exponential } from '@breakwater/retry';
import { Pool, request } from 'undici';
import { SCENARIOS, SERVICE, type ServicePolicy } from './scenarios.js';

export type ClientKind = 'breakwater' | 'naive';

export interface RunOptions {
  readonly scenario: string;
  readonly durationMs: number;
  readonly client: ClientKind;
  /** Requests started per second (open loop). Default 200. */
  readonly rate?: number;
  /** Seed of the replicas' fault draws. Default 1. */
  readonly seed?: number;
  /** A live dashboard to show the Breakwater client's state on while the run lasts (it sees the calls anyway). */
  readonly dashboard?: Dashboard;
}

export interface ScenarioResult {
  readonly scenario: string;
  readonly client: ClientKind;
  readonly durationMs: number;
  readonly rate: number;
  /** Requests answered 2xx over all requests, 0–1. */
  readonly successRate: number;
  readonly requests: number;
  readonly errors: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
  /** Attempts sent to replicas per request (naive: always 1). */
  readonly attemptsPerRequest: number;
  readonly breakerTransitions: number;
  readonly ejections: number;
  /** `breakwater:discovery:error` messages: registry failures the client rode out on its last snapshot. */
  readonly discoveryErrors: number;
  /** Requests each replica received (hedges and retries included), in the scenario's order. */
  readonly perReplica: readonly number[];
  /** Hedges sent (`breakwater:hedge`). */
  readonly hedges: number;
  /** Attempts cut by the per-try timeout. */
  readonly perTryTimeouts: number;
  /** Attempts per replica (scenario order) that ended without an answer: cut by a timeout or a winning hedge, or a connection error. */
  readonly unanswered: readonly number[];
  /** Calls that failed with the total deadline (`BREAKWATER_DEADLINE_EXCEEDED`) or the naive client's timeout. */
  readonly deadlineExceeded: number;
}

/** The errors of a call that waited for its whole time limit: Breakwater's deadline, undici's timeouts. */
const TIMEOUT_CODES: ReadonlySet<string> = new Set([
  'BREAKWATER_DEADLINE_EXCEEDED',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** Total time of one request, for both clients, so neither hangs forever on a partition. */
export const TIMEOUT_MS = 1_000;

/** The Breakwater client's retry budget; exported so tests can derive the amplification bound from it. */
export const BUDGET = Object.freeze({ percentCanRetry: 0.2, minRetriesPerSecond: 2, ttl: 10_000 });

export const DEFAULT_RATE = 200;

/** Sensible settings for a latency-sensitive internal service; the scenario adds per-try timeouts or hedging. */
function breakwaterPolicy(extra: ServicePolicy): ServicePolicy {
  return {
    timeoutMs: TIMEOUT_MS,
    retry: { maxAttempts: 3, backoff: exponential({ initial: 5, max: 50, jitter: 'full' }) },
    budget: BUDGET,
    balancer: {
      policy: 'peak-ewma',
      outlierDetection: {
        consecutive5xx: 3,
        consecutiveGatewayFailure: 3,
        enforcingConsecutiveGatewayFailure: 100,
        baseEjectionTimeMs: 5_000,
        maxEjectionPercent: 50,
      },
    },
    endpointBreaker: { strategy: () => new ConsecutiveFailures({ threshold: 5 }), openDurationMs: 2_000 },
    ...extra,
  };
}

interface Caller {
  call(): Promise<boolean>;
  close(): Promise<void>;
}

function naiveCaller(addresses: readonly string[]): Caller {
  // Plain undici, one pool per replica, round-robin, no retries, breakers or ejection; only the same total timeout.
  const pools = addresses.map(
    (a) =>
      new Pool(`http://${a}`, {
        headersTimeout: TIMEOUT_MS,
        bodyTimeout: TIMEOUT_MS,
        connect: { timeout: TIMEOUT_MS },
      }),
  );
  let next = 0;
  return {
    async call() {
      const pool = pools[next++ % pools.length] as Pool;
      const res = await pool.request({ path: '/items', method: 'GET' });
      await res.body.dump();
      return res.statusCode >= 200 && res.statusCode < 300;
    },
    async close() {
      await Promise.all(pools.map((p) => p.destroy()));
    },
  };
}

function breakwaterCaller(
  run: {
    registry: Parameters<typeof createHttpClient>[0]['registry'];
    policy: ServicePolicy;
  },
  dashboard: Dashboard | undefined,
): Caller {
  const client = createHttpClient({
    registry: run.registry,
    services: { [SERVICE]: breakwaterPolicy(run.policy) },
    evaluateIntervalMs: 100, // short runs: let ejections expire and breakers probe promptly
  });
  dashboard?.addSource(client);
  const url = `http://${SERVICE}/items`;
  return {
    async call() {
      const res = await request(url, { dispatcher: client.dispatcher });
      await res.body.dump();
      return res.statusCode >= 200 && res.statusCode < 300;
    },
    close: () => {
      dashboard?.removeSource(client);
      return client.close();
    },
  };
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
  return sorted[Math.max(0, i)] as number;
}

const round = (x: number): number => Math.round(x * 1000) / 1000;

/** Counts the client's diagnostics messages for our service while a run lasts. */
function countChannel(
  name: string,
  where: (message: { error?: unknown }) => boolean = () => true,
): { readonly count: () => number; readonly stop: () => void } {
  let n = 0;
  const onMessage = (message: unknown): void => {
    if ((message as { service?: string }).service === SERVICE && where(message as { error?: unknown })) n++;
  };
  diagnostics.subscribe(name, onMessage);
  return { count: () => n, stop: () => diagnostics.unsubscribe(name, onMessage) };
}

/**
 * Runs one scenario with an open-loop load generator: request i is due at `i / rate` seconds whatever happened
 * to earlier ones, and its latency is measured from that due time (no coordinated omission).
 */
export async function runScenario(options: RunOptions): Promise<ScenarioResult> {
  const scenario = SCENARIOS.get(options.scenario);
  if (scenario === undefined) {
    throw new RangeError(
      `scenario must be one of ${[...SCENARIOS.keys()].join(', ')}, got ${JSON.stringify(options.scenario)}`,
    );
  }
  if (!Number.isFinite(options.durationMs) || options.durationMs <= 0) {
    throw new RangeError(`durationMs must be a positive number, got ${options.durationMs}`);
  }
  const rate = options.rate ?? DEFAULT_RATE;
  if (!Number.isFinite(rate) || rate <= 0)
    throw new RangeError(`rate must be a positive number, got ${rate}`);
  if (options.client !== 'breakwater' && options.client !== 'naive') {
    throw new RangeError(`client must be 'breakwater' or 'naive', got ${JSON.stringify(options.client)}`);
  }

  const run = await scenario.setup(options.seed ?? 1);
  const attempts = countChannel('breakwater:attempt:start');
  const transitions = countChannel('breakwater:breaker:state');
  const ejections = countChannel('breakwater:eject');
  const discoveryErrors = countChannel('breakwater:discovery:error');
  const hedges = countChannel('breakwater:hedge');
  const unanswered = run.addresses.map((address) =>
    countChannel(
      'breakwater:attempt:end',
      (m) =>
        (m as { endpoint?: unknown }).endpoint === address &&
        (m as { outcome?: unknown }).outcome !== 'success' &&
        (m as { statusCode?: unknown }).statusCode === undefined,
    ),
  );
  const perTryTimeouts = countChannel(
    'breakwater:attempt:end',
    (m) => (m.error as { code?: unknown } | undefined)?.code === 'BREAKWATER_PER_TRY_TIMEOUT',
  );
  const caller =
    options.client === 'naive' ? naiveCaller(run.addresses) : breakwaterCaller(run, options.dashboard);
  const total = Math.max(1, Math.round((rate * options.durationMs) / 1000));
  const latencies: number[] = [];
  const inflight = new Set<Promise<void>>();
  let ok = 0;
  let deadlineExceeded = 0;
  let perReplica: readonly number[] = [];
  try {
    const fire = (dueAt: number): void => {
      const p = caller
        .call()
        .then(
          (success) => {
            if (success) ok++;
          },
          (e: unknown) => {
            if (TIMEOUT_CODES.has(String((e as { code?: unknown } | null)?.code))) deadlineExceeded++;
          },
        )
        .then(() => {
          latencies.push(performance.now() - dueAt);
          inflight.delete(p);
        });
      inflight.add(p);
    };
    const start = performance.now();
    run.start(options.durationMs);
    let issued = 0;
    // The ticker is the load generator's clock, not a wait: each tick starts every request now due.
    await new Promise<void>((resolve) => {
      const tick = setInterval(() => {
        const now = performance.now();
        while (issued < total && start + (issued * 1000) / rate <= now) {
          fire(start + (issued * 1000) / rate);
          issued++;
        }
        if (issued >= total) {
          clearInterval(tick);
          resolve();
        }
      }, 2);
    });
    while (inflight.size > 0) await Promise.all(inflight);
  } finally {
    perReplica = run.received();
    await caller.close();
    await run.close();
    attempts.stop();
    transitions.stop();
    ejections.stop();
    discoveryErrors.stop();
    hedges.stop();
    perTryTimeouts.stop();
    for (const u of unanswered) u.stop();
  }
  latencies.sort((a, b) => a - b);
  return {
    scenario: scenario.name,
    client: options.client,
    durationMs: options.durationMs,
    rate,
    successRate: round(ok / total),
    requests: total,
    errors: total - ok,
    p50Ms: round(percentile(latencies, 0.5)),
    p99Ms: round(percentile(latencies, 0.99)),
    p999Ms: round(percentile(latencies, 0.999)),
    attemptsPerRequest: options.client === 'naive' ? 1 : round(attempts.count() / total),
    breakerTransitions: transitions.count(),
    ejections: ejections.count(),
    discoveryErrors: discoveryErrors.count(),
    perReplica,
    hedges: hedges.count(),
    perTryTimeouts: perTryTimeouts.count(),
    unanswered: unanswered.map((u) => u.count()),
    deadlineExceeded,
  };
}
