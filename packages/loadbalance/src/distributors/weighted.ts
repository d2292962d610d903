import type { EndpointState } from '../endpoint-state.js';
import type { PickRequest } from '../types.js';
import { type Distributor, type DistributorContext, randomIndex } from './distributor.js';

/**
 * Earliest-deadline-first weighted round-robin (Envoy's EdfScheduler): each endpoint's next
 * deadline advances by 1/weight per pick; the smallest deadline wins, ties by list order. Over any
 * window the shares follow the weights, interleaved rather than bursty. O(log n) per pick.
 */
export class WeightedDistributor implements Distributor {
  readonly #nodes: readonly EndpointState[];
  readonly #step: Float64Array;
  readonly #deadline: Float64Array;
  /** Binary min-heap of node indices keyed by (deadline, index). */
  readonly #heap: Int32Array;

  constructor(nodes: readonly EndpointState[], ctx: DistributorContext) {
    const n = nodes.length;
    this.#nodes = nodes;
    this.#step = new Float64Array(n);
    this.#deadline = new Float64Array(n);
    this.#heap = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      this.#step[i] = 1 / nodes[i]!.weight;
      this.#deadline[i] = this.#step[i]!;
      this.#heap[i] = i;
    }
    for (let i = (n >> 1) - 1; i >= 0; i--) this.#down(i);
    // A random number of warm-up picks so clients sharing a snapshot do not move in lock-step.
    const skip = randomIndex(n, ctx.random);
    for (let i = 0; i < skip; i++) this.pick(undefined);
  }

  pick(_request: PickRequest | undefined): EndpointState {
    const top = this.#heap[0]!;
    this.#deadline[top] = this.#deadline[top]! + this.#step[top]!;
    this.#down(0);
    return this.#nodes[top]!;
  }

  #less(a: number, b: number): boolean {
    const da = this.#deadline[a]!;
    const db = this.#deadline[b]!;
    return da < db || (da === db && a < b);
  }

  #down(i: number): void {
    const heap = this.#heap;
    const n = heap.length;
    const item = heap[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.#less(heap[r]!, heap[l]!) ? r : l;
      if (!this.#less(heap[c]!, item)) break;
      heap[i] = heap[c]!;
      i = c;
    }
    heap[i] = item;
  }
}
