// The bounded events feed: a ring of the last `capacity` events, read most recent last.
import type { DashboardEvent } from './types.js';

export class EventLog {
  readonly #ring: (DashboardEvent | undefined)[];
  #next = 0;
  #size = 0;

  constructor(readonly capacity: number) {
    this.#ring = new Array(capacity);
  }

  add(event: DashboardEvent): void {
    this.#ring[this.#next] = Object.freeze(event);
    this.#next = (this.#next + 1) % this.capacity;
    if (this.#size < this.capacity) this.#size++;
  }

  toArray(): DashboardEvent[] {
    const out: DashboardEvent[] = [];
    const start = (this.#next - this.#size + this.capacity) % this.capacity;
    for (let k = 0; k < this.#size; k++) out.push(this.#ring[(start + k) % this.capacity]!);
    return out;
  }
}
