import { createFaultProxy, type FaultProxy } from '@breakwater/chaos';
import type { CreateHttpClientOptions } from '@breakwater/client';
import {
  createEndpoint,
  createSnapshot,
  type Registry,
  type Snapshot,
  StaticRegistry,
  type WatchListener,
} from '@breakwater/discovery';
import { type Backend, startBackend } from './backend.js';

export type ServicePolicy = NonNullable<CreateHttpClientOptions['services']>[string];

export const SERVICE = 'catalog';

/** Every healthy replica answers in 4–6 ms, so "10× slower" means something on loopback. */
const HEALTHY_LATENCY = { distribution: { kind: 'uniform', minMs: 4, maxMs: 6 } } as const;
const SLOW_LATENCY = { distribution: { kind: 'uniform', minMs: 40, maxMs: 60 } } as const;

export interface ScenarioRun {
  /** What the Breakwater client discovers through. */
  readonly registry: Registry;
  /** `host:port` of each replica as first listed: the naive client's fixed round-robin list. */
  readonly addresses: readonly string[];
  /** Requests each replica received so far, in the order of `addresses` (through a proxy: what got past it). */
  readonly received: () => readonly number[];
  /** Scenario-specific call policy for the Breakwater client (per-try timeout, hedging). */
  readonly policy: ServicePolicy;
  /** Arms the mid-run chaos schedule; called when the load starts. */
  start(durationMs: number): void;
  /** Stops the schedule and closes every replica, proxy and registry. */
  close(): Promise<void>;
}

export interface Scenario {
  readonly name: string;
  readonly description: string;
  setup(seed: number): Promise<ScenarioRun>;
}

/** Tracks the schedule's timers so `close()` leaves none behind. */
class Schedule {
  private readonly timers = new Set<NodeJS.Timeout>();
  at(ms: number, action: () => void | Promise<void>): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      void action();
    }, ms);
    this.timers.add(t);
  }
  every(ms: number, action: () => void): void {
    this.timers.add(setInterval(action, ms));
  }
  clear(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}

async function replicas(seed: number, faults: readonly (object | undefined)[]): Promise<Backend[]> {
  return Promise.all(
    faults.map((f, i) =>
      startBackend({
        name: `${SERVICE}-${i + 1}`,
        seed: seed + i,
        faults: { latency: HEALTHY_LATENCY, ...f },
      }),
    ),
  );
}

const addr = (port: number): string => `127.0.0.1:${port}`;

function staticRun(
  backends: readonly Backend[],
  options: { policy?: ServicePolicy; schedule?: Schedule; arm?: (durationMs: number) => void } = {},
): ScenarioRun {
  const addresses = backends.map((b) => addr(b.port));
  const registry = new StaticRegistry({ [SERVICE]: addresses });
  const schedule = options.schedule ?? new Schedule();
  return {
    registry,
    addresses,
    received: () => backends.map((b) => b.received()),
    policy: options.policy ?? {},
    start: (durationMs) => options.arm?.(durationMs),
    async close() {
      schedule.clear();
      await Promise.all(backends.map((b) => b.close()));
      await registry.close();
    },
  };
}

const healthy: Scenario = {
  name: 'healthy',
  description: 'three healthy replicas (4–6 ms): the baseline',
  async setup(seed) {
    return staticRun(await replicas(seed, [undefined, undefined, undefined]));
  },
};

const slowReplica: Scenario = {
  name: 'slow-replica',
  description: 'one of three replicas answers 10× slower (40–60 ms instead of 4–6 ms)',
  async setup(seed) {
    const backends = await replicas(seed, [undefined, undefined, { latency: SLOW_LATENCY }]);
    // Adaptive hedging (after the p95 of the service's attempts) covers the few requests the balancer
    // still sends to the slow one: its first and its probes.
    return staticRun(backends, { policy: { hedge: {} } });
  },
};

const failingReplica: Scenario = {
  name: 'failing-replica',
  description: 'one of three replicas answers 503 to 50% of requests',
  async setup(seed) {
    return staticRun(await replicas(seed, [undefined, undefined, { error: { rate: 0.5, status: 503 } }]));
  },
};

const killReplica: Scenario = {
  name: 'kill-replica',
  description: 'one of three replicas is closed a third into the run; the static registry keeps listing it',
  async setup(seed) {
    const backends = await replicas(seed, [undefined, undefined, undefined]);
    const schedule = new Schedule();
    const victim = backends[2] as Backend;
    return staticRun(backends, { schedule, arm: (d) => schedule.at(d / 3, () => victim.close()) });
  },
};

const flappingReplica: Scenario = {
  name: 'flapping-replica',
  description: 'one of three replicas alternates every 300 ms between healthy and 503 to every request',
  async setup(seed) {
    const backends = await replicas(seed, [undefined, undefined, undefined]);
    const schedule = new Schedule();
    const flapper = (backends[2] as Backend).controller;
    let down = false;
    return staticRun(backends, {
      schedule,
      arm: () =>
        schedule.every(300, () => {
          down = !down;
          flapper.set(
            down
              ? { latency: HEALTHY_LATENCY, error: { rate: 1, status: 503 } }
              : { latency: HEALTHY_LATENCY },
          );
        }),
    });
  },
};

const brokenReplica: Scenario = {
  name: 'broken-replica',
  description:
    'one of three replicas answers 503 to every request from a third into the run; outlier detection off, so its endpoint breaker takes it out',
  async setup(seed) {
    const backends = await replicas(seed, [undefined, undefined, undefined]);
    const schedule = new Schedule();
    const victim = (backends[2] as Backend).controller;
    return staticRun(backends, {
      schedule,
      // Round-robin, no ejection: the broken replica keeps its share of picks until its endpoint breaker (5
      // consecutive failures, open 2 s, then a half-open probe) takes it out, so the transitions show on the
      // dashboard (peak EWMA alone steers almost every call away from it).
      policy: { balancer: { policy: 'round-robin' } },
      arm: (d) =>
        schedule.at(d / 3, () => victim.set({ latency: HEALTHY_LATENCY, error: { rate: 1, status: 503 } })),
    });
  },
};

const partition: Scenario = {
  name: 'partition',
  description:
    'one of three replicas sits behind a TCP fault proxy whose blackhole is switched on a third into the run',
  async setup(seed) {
    const backends = await replicas(seed, [undefined, undefined, undefined]);
    const third = backends[2] as Backend;
    const proxy: FaultProxy = await createFaultProxy({ upstream: { host: '127.0.0.1', port: third.port } });
    const addresses = [
      addr((backends[0] as Backend).port),
      addr((backends[1] as Backend).port),
      addr(proxy.port),
    ];
    const registry = new StaticRegistry({ [SERVICE]: addresses });
    const schedule = new Schedule();
    return {
      registry,
      addresses,
      received: () => backends.map((b) => b.received()),
      // A blackholed attempt never answers: cut it after 100 ms and try another replica.
      policy: { perTryTimeoutMs: 100 },
      start: (d) => schedule.at(d / 3, () => proxy.setFaults({ blackhole: true })),
      async close() {
        schedule.clear();
        await proxy.close();
        await Promise.all(backends.map((b) => b.close()));
        await registry.close();
      },
    };
  },
};

const retryStorm: Scenario = {
  name: 'retry-storm',
  description: 'every replica is overloaded and answers 503 to 80% of requests',
  async setup(seed) {
    const overloaded = { error: { rate: 0.8, status: 503 } };
    // Breakers and ejection off: with them the client fails fast and sends almost nothing (see the README),
    // which hides the retry budget; this run measures the budget alone.
    return staticRun(await replicas(seed, [overloaded, overloaded, overloaded]), {
      policy: { serviceBreaker: false, endpointBreaker: false, balancer: { policy: 'peak-ewma' } },
    });
  },
};

/**
 * A registry that serves one snapshot, then fails every later read (as a Consul outage would): watchers get
 * error events carrying the last good snapshot, and `resolve` rejects.
 */
class FailingRegistry implements Registry {
  private readonly listeners = new Set<WatchListener>();
  private failed = false;
  constructor(private readonly snapshot: Snapshot) {}
  watch(service: string, listener: WatchListener): () => void {
    this.listeners.add(listener);
    queueMicrotask(() => {
      if (!this.listeners.has(listener)) return;
      if (this.failed)
        listener({
          type: 'error',
          service,
          error: new Error('registry unavailable'),
          endpoints: this.snapshot,
        });
      else listener({ type: 'endpoints', service, endpoints: this.snapshot });
    });
    return () => this.listeners.delete(listener);
  }
  async resolve(): Promise<Snapshot> {
    if (this.failed) throw new Error('registry unavailable');
    return this.snapshot;
  }
  fail(): void {
    this.failed = true;
    for (const listener of this.listeners) {
      listener({
        type: 'error',
        service: SERVICE,
        error: new Error('registry unavailable'),
        endpoints: this.snapshot,
      });
    }
  }
  async close(): Promise<void> {
    this.listeners.clear();
  }
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

const registryOutage: Scenario = {
  name: 'registry-outage',
  description:
    'the registry errors after its first snapshot (a third into the run); the client keeps the last one',
  async setup(seed) {
    const backends = await replicas(seed, [undefined, undefined, undefined]);
    const addresses = backends.map((b) => addr(b.port));
    const registry = new FailingRegistry(
      createSnapshot(backends.map((b) => createEndpoint({ host: '127.0.0.1', port: b.port }))),
    );
    const schedule = new Schedule();
    return {
      registry,
      addresses,
      received: () => backends.map((b) => b.received()),
      policy: {},
      start: (d) => schedule.at(d / 3, () => registry.fail()),
      async close() {
        schedule.clear();
        await Promise.all(backends.map((b) => b.close()));
        await registry.close();
      },
    };
  },
};

export const SCENARIOS: ReadonlyMap<string, Scenario> = new Map(
  [
    healthy,
    slowReplica,
    failingReplica,
    killReplica,
    flappingReplica,
    brokenReplica,
    partition,
    retryStorm,
    registryOutage,
  ].map((s) => [s.name, s]),
);
