// A simulated endpoint: `workers` parallel slots and a FIFO queue in front of them (an M/G/c
// server). Service times are log-normal; a slowdown multiplies them inside a time window.
import type { EventQueue } from '../lib/event-queue.js';
import { logNormal, type Rng } from '../lib/rng.js';

export interface ServerSpec {
  workers: number;
  medianMs: number;
  sigma: number;
  /** Multiply service times by `factor` for requests that start in [from, to). */
  slowdown?: { factor: number; from: number; to: number };
}

export class SimServer {
  #busy = 0;
  #queue: Array<() => void> = [];
  #head = 0;
  served = 0;

  constructor(
    readonly spec: ServerSpec,
    readonly events: EventQueue,
    readonly rng: Rng,
  ) {}

  /** Accepts a request; calls `done` when its response leaves the server. */
  submit(done: () => void): void {
    if (this.#busy < this.spec.workers) this.#start(done);
    else this.#queue.push(done);
  }

  #start(done: () => void): void {
    this.#busy++;
    const now = this.events.now;
    const s = this.spec;
    let service = logNormal(this.rng, s.medianMs, s.sigma);
    if (s.slowdown !== undefined && now >= s.slowdown.from && now < s.slowdown.to)
      service *= s.slowdown.factor;
    this.events.at(now + service, () => {
      this.#busy--;
      this.served++;
      if (this.#head < this.#queue.length) {
        const next = this.#queue[this.#head++]!;
        if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
          this.#queue = this.#queue.slice(this.#head);
          this.#head = 0;
        }
        this.#start(next);
      }
      done();
    });
  }
}
