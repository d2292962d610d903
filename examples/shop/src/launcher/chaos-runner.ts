// Plays a chaos timeline against the running shop: fault specs go to the instances' `POST /admin/faults`,
// kills and restarts go through the supervisor. Each event is reported as it is applied.
import { Client } from 'undici';
import type { ChaosAction, ChaosEvent, FaultSpecJson } from './chaos-schedule.js';
import { type Clock, performanceClock } from './clock.js';

export interface ChaosDeps {
  /** The HTTP port of the instance's `/admin/faults`, or undefined when it is down. */
  adminPort(id: string): number | undefined;
  kill(id: string): Promise<void>;
  restart(id: string): Promise<unknown>;
}

export interface AppliedChaos {
  readonly event: ChaosEvent;
  /** ms after the start of the load, when the action began. */
  readonly startedAtMs: number;
  /** ms after the start of the load, when the action finished. */
  readonly atMs: number;
  /** `done`, or what went wrong. */
  readonly result: string;
}

export async function postFaults(port: number, spec: FaultSpecJson): Promise<void> {
  const client = new Client(`http://127.0.0.1:${port}`, { headersTimeout: 5_000, bodyTimeout: 5_000 });
  try {
    const res = await client.request({
      path: '/admin/faults',
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(spec),
    });
    const text = await res.body.text();
    if (res.statusCode !== 200)
      throw new Error(`POST /admin/faults answered ${res.statusCode}: ${text.slice(0, 200)}`);
  } finally {
    await client.close();
  }
}

export async function applyChaos(action: ChaosAction, deps: ChaosDeps): Promise<void> {
  const faults = async (id: string, spec: FaultSpecJson): Promise<void> => {
    const port = deps.adminPort(id);
    if (port === undefined) throw new Error(`${id} is not running`);
    await postFaults(port, spec);
  };
  switch (action.kind) {
    case 'faults':
      return faults(action.target, action.spec);
    case 'clear': {
      const results = await Promise.allSettled(action.targets.map((t) => faults(t, {})));
      const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed.length > 0) throw new Error(failed.map((r) => (r.reason as Error).message).join('; '));
      return;
    }
    case 'kill':
      return deps.kill(action.target);
    case 'restart':
      await deps.restart(action.target);
      return;
  }
}

export interface ChaosRunnerOptions {
  readonly clock?: Clock;
  /** When an event begins (`startedAtMs`: ms after the start of the load). */
  readonly onStarted?: (event: ChaosEvent, startedAtMs: number) => void;
  readonly onApplied?: (applied: AppliedChaos) => void;
}

export class ChaosRunner {
  readonly applied: AppliedChaos[] = [];
  readonly #events: readonly ChaosEvent[];
  readonly #deps: ChaosDeps;
  readonly #clock: Clock;
  readonly #onStarted: (event: ChaosEvent, startedAtMs: number) => void;
  readonly #onApplied: (applied: AppliedChaos) => void;
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #running = new Set<Promise<void>>();
  #t0 = 0;
  #cancelled = false;

  constructor(events: readonly ChaosEvent[], deps: ChaosDeps, options: ChaosRunnerOptions = {}) {
    this.#events = events;
    this.#deps = deps;
    this.#clock = options.clock ?? performanceClock;
    this.#onStarted = options.onStarted ?? (() => {});
    this.#onApplied = options.onApplied ?? (() => {});
  }

  /** Schedules every event relative to `t0` (a `clock.now()` reading: the start of the load). */
  start(t0: number): void {
    this.#t0 = t0;
    for (const event of this.#events) {
      // Rounded up: Node truncates fractional delays, which would fire an event a hair before its time.
      const delay = Math.max(0, Math.ceil(t0 + event.atMs - this.#clock.now()));
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        this.#fire(event);
      }, delay);
      this.#timers.add(timer);
    }
  }

  /** Drops the events not yet due and waits for the ones being applied. */
  async cancel(): Promise<void> {
    this.#cancelled = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    await Promise.all(this.#running);
  }

  #fire(event: ChaosEvent): void {
    if (this.#cancelled) return;
    const startedAtMs = this.#clock.now() - this.#t0;
    this.#onStarted(event, startedAtMs);
    const p = applyChaos(event.action, this.#deps).then(
      () => 'done',
      (err: unknown) => `failed: ${(err as Error).message}`,
    );
    const tracked = p.then((result) => {
      this.#running.delete(tracked);
      const applied = { event, startedAtMs, atMs: this.#clock.now() - this.#t0, result };
      this.applied.push(applied);
      this.#onApplied(applied);
    });
    this.#running.add(tracked);
  }
}
