import type { EndpointState } from '../endpoint-state.js';
import type { PickRequest } from '../types.js';
import { type Distributor, type DistributorContext, randomIndex } from './distributor.js';

/** Each endpoint in turn, from a random start so a fleet of clients does not move in lock-step. */
export class RoundRobinDistributor implements Distributor {
  readonly #nodes: readonly EndpointState[];
  #next: number;

  constructor(nodes: readonly EndpointState[], ctx: DistributorContext) {
    this.#nodes = nodes;
    this.#next = randomIndex(nodes.length, ctx.random);
  }

  pick(_request: PickRequest | undefined): EndpointState {
    const i = this.#next;
    this.#next = i + 1 === this.#nodes.length ? 0 : i + 1;
    return this.#nodes[i]!;
  }
}
