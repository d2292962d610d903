// Polls the frontend's dashboard snapshot for what only the frontend's clients know: retries, breaker states
// and ejections per endpoint. Tolerant: a missing dashboard (404), a refused connection or bad JSON only
// make `latest` undefined, and the panel shows "–".
import { Client } from 'undici';
import { type DashboardEventView, readSnapshot, type SnapshotView } from './dashboard-snapshot.js';

export interface DashboardPollerOptions {
  /** `http://127.0.0.1:8080` */
  readonly origin: string;
  /** Default 1000 ms. */
  readonly intervalMs?: number;
  /** Default `/dashboard/snapshot.json`. */
  readonly path?: string;
}

export class DashboardPoller {
  /** The last snapshot, or undefined while the dashboard is missing or failing. */
  latest: SnapshotView | undefined;
  /** The last snapshot that could be read, kept while the dashboard is failing. */
  lastGood: SnapshotView | undefined;
  /** Why `latest` is undefined: `404`, `ECONNREFUSED`, `not a snapshot`… */
  problem: string | undefined = 'not polled yet';
  /** Every distinct dashboard event seen during the run, oldest first. */
  readonly events: DashboardEventView[] = [];

  readonly #client: Client;
  readonly #intervalMs: number;
  readonly #path: string;
  readonly #seen = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #polling: Promise<void> | undefined;
  #closed = false;

  constructor(options: DashboardPollerOptions) {
    this.#intervalMs = options.intervalMs ?? 1000;
    if (!Number.isInteger(this.#intervalMs) || this.#intervalMs < 1) {
      throw new RangeError(`intervalMs must be a positive integer, got ${options.intervalMs}`);
    }
    this.#path = options.path ?? '/dashboard/snapshot.json';
    const timeout = Math.max(1000, 2 * this.#intervalMs);
    this.#client = new Client(options.origin, { headersTimeout: timeout, bodyTimeout: timeout });
  }

  start(): void {
    if (this.#closed || this.#timer !== undefined || this.#polling !== undefined) return;
    this.#loop();
  }

  /** One poll now; never rejects. */
  async poll(): Promise<void> {
    try {
      const res = await this.#client.request({ path: this.#path, method: 'GET' });
      if (res.statusCode !== 200) {
        await res.body.dump();
        this.latest = undefined;
        this.problem = String(res.statusCode);
        return;
      }
      const view = readSnapshot(await res.body.json());
      this.latest = view;
      this.problem = view === undefined ? 'not a snapshot' : undefined;
      if (view !== undefined) {
        this.lastGood = view;
        this.#collect(view);
      }
    } catch (err) {
      this.latest = undefined;
      const code = (err as { code?: unknown }).code;
      this.problem = typeof code === 'string' ? code : String(err);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#polling;
    await this.#client.close();
  }

  #loop(): void {
    this.#polling = this.poll().finally(() => {
      this.#polling = undefined;
      if (!this.#closed) this.#timer = setTimeout(() => this.#loop(), this.#intervalMs);
    });
  }

  #collect(view: SnapshotView): void {
    for (const e of view.events) {
      const key = `${e.at}|${e.service}|${e.endpoint ?? ''}|${e.kind}|${e.detail}`;
      if (this.#seen.has(key)) continue;
      this.#seen.add(key);
      this.events.push(e);
    }
  }
}
