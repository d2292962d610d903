import type { EndpointState } from '../endpoint-state.js';
import type { PickRequest, Random } from '../types.js';
import { type Distributor, type DistributorContext, randomIndex } from './distributor.js';

/** Uniformly random (weights ignored). */
export class RandomDistributor implements Distributor {
  readonly #nodes: readonly EndpointState[];
  readonly #random: Random;

  constructor(nodes: readonly EndpointState[], ctx: DistributorContext) {
    this.#nodes = nodes;
    this.#random = ctx.random;
  }

  pick(_request: PickRequest | undefined): EndpointState {
    return this.#nodes[randomIndex(this.#nodes.length, this.#random)]!;
  }
}
