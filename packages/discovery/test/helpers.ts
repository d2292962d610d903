import type { Registry, Snapshot, WatchEvent } from '@breakwater/discovery';
import { ConsulClient } from '@breakwater/discovery';
import { ConsulSimulator, type ConsulSimulatorOptions } from '@breakwater/discovery/testkit';

/** Polls `fn` until it returns a truthy value or the deadline passes (no fixed sleeps). */
export async function eventually<T>(
  fn: () => T | Promise<T>,
  timeoutMs = 5_000,
  what = 'condition',
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (error) {
      last = error;
    }
    if (performance.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Records a watch's events; `next(pred)` resolves on the first (past or future) event matching. */
export class Recorder {
  readonly events: WatchEvent[] = [];
  readonly #waiters: { pred: (e: WatchEvent) => boolean; resolve: (e: WatchEvent) => void; from: number }[] =
    [];
  readonly dispose: () => void;

  constructor(registry: Registry, service: string) {
    this.dispose = registry.watch(service, (e) => {
      this.events.push(e);
      for (const w of [...this.#waiters]) {
        if (w.pred(e)) {
          this.#waiters.splice(this.#waiters.indexOf(w), 1);
          w.resolve(e);
        }
      }
    });
  }

  get snapshots(): Snapshot[] {
    return this.events.flatMap((e) => (e.type === 'endpoints' ? [e.endpoints] : []));
  }

  get errors(): Error[] {
    return this.events.flatMap((e) => (e.type === 'error' ? [e.error] : []));
  }

  /** The next event from now on that matches. */
  next(pred: (e: WatchEvent) => boolean, timeoutMs = 5_000): Promise<WatchEvent> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no matching watch event in time')), timeoutMs);
      this.#waiters.push({
        pred,
        from: this.events.length,
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e);
        },
      });
    });
  }

  /** Resolves with a snapshot satisfying pred (already seen last, or the next one). */
  until(pred: (s: Snapshot) => boolean, timeoutMs = 5_000): Promise<Snapshot> {
    const last = this.snapshots.at(-1);
    if (last !== undefined && pred(last)) return Promise.resolve(last);
    return this.next((e) => e.type === 'endpoints' && pred(e.endpoints), timeoutMs).then(
      (e) => (e as { endpoints: Snapshot }).endpoints,
    );
  }

  nextError(timeoutMs = 5_000): Promise<Error> {
    return this.next((e) => e.type === 'error', timeoutMs).then((e) => (e as { error: Error }).error);
  }
}

export const ids = (s: Snapshot) => s.map((e) => e.id);

/** A Consul target for contract tests: the simulator always, a real agent when CONSUL_HTTP_ADDR is set. */
export interface Target {
  readonly name: string;
  /** Present for the simulator target only. */
  readonly sim: ConsulSimulator | undefined;
  client(): ConsulClient;
  close(): Promise<void>;
}

export const targetNames: readonly string[] = process.env.CONSUL_HTTP_ADDR
  ? ['simulator', 'agent']
  : ['simulator'];

export async function openTarget(name: string, simOptions: ConsulSimulatorOptions = {}): Promise<Target> {
  if (name === 'agent') {
    const clients: ConsulClient[] = [];
    return {
      name,
      sim: undefined,
      client() {
        const c = ConsulClient.fromEnv();
        clients.push(c);
        return c;
      },
      async close() {
        await Promise.all(clients.map((c) => c.close()));
      },
    };
  }
  const sim = await ConsulSimulator.start(simOptions);
  const clients: ConsulClient[] = [];
  return {
    name,
    sim,
    client() {
      const c = new ConsulClient({ address: sim.address, token: simOptions.requireToken });
      clients.push(c);
      return c;
    },
    async close() {
      await Promise.all(clients.map((c) => c.close()));
      await sim.close();
    },
  };
}

let counter = 0;
/** A service name unique to this run, so contract tests can share a real agent. */
export function uniqueName(prefix: string): string {
  counter++;
  return `bw-${prefix}-${process.pid}-${counter}-${Math.floor(Math.random() * 1e6)}`;
}
