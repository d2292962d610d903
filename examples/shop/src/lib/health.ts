// Health as the services report it: ok until a graceful shutdown starts, then 503 (draining) so
// Consul checks and load balancers stop sending traffic before the listener closes.
import type { ServerResponse } from 'node:http';
import { sendJson } from './json-http.js';

export class HealthState {
  #draining = false;
  readonly #listeners = new Set<() => void>();

  constructor(readonly instance: string) {}

  get draining(): boolean {
    return this.#draining;
  }

  /** Marks the instance as draining (idempotent) and tells the listeners (e.g. grpc.health.v1). */
  drain(): void {
    if (this.#draining) return;
    this.#draining = true;
    for (const l of this.#listeners) l();
  }

  onDrain(listener: () => void): void {
    this.#listeners.add(listener);
  }

  /** `GET /health`. */
  serve(res: ServerResponse): void {
    if (this.#draining) {
      sendJson(res, 503, { status: 'draining', instance: this.instance }, { connection: 'close' });
    } else sendJson(res, 200, { status: 'ok', instance: this.instance });
  }
}
