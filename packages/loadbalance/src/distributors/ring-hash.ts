import type { EndpointState } from '../endpoint-state.js';
import { hash32 } from '../hash.js';
import type { PickRequest, Random } from '../types.js';
import type { Distributor, DistributorContext } from './distributor.js';
import { requestHash } from './key-hash.js';

const OWNER_BITS = 2 ** 21;

/**
 * Consistent hashing on a ring (Ketama): each endpoint owns `ringReplicas × weight` points hashed
 * from its id; a key goes to the first point at or after its hash. Adding or removing one endpoint
 * moves only the keys on its own arcs, ~1/n of them. O(log ring) per pick.
 */
export class RingHashDistributor implements Distributor {
  readonly #nodes: readonly EndpointState[];
  readonly #random: Random;
  readonly #hashes: Uint32Array;
  readonly #owners: Int32Array;

  constructor(nodes: readonly EndpointState[], ctx: DistributorContext) {
    this.#nodes = nodes;
    this.#random = ctx.random;
    let points = 0;
    for (const node of nodes) points += Math.max(1, Math.round(ctx.ringReplicas * node.weight));
    // Fixed points per unit of weight (Ketama's 160 per server) so that membership changes move
    // only the changed endpoint's arcs; scaled down only past maxRingSize.
    const scale = points > ctx.maxRingSize ? ctx.maxRingSize / points : 1;
    const packed: number[] = [];
    for (let i = 0; i < nodes.length && i < OWNER_BITS; i++) {
      const node = nodes[i]!;
      const count = Math.max(1, Math.round(scale * ctx.ringReplicas * node.weight));
      const id = node.endpoint.id;
      for (let k = 0; k < count; k++) packed.push(hash32(`${id}_${k}`) * OWNER_BITS + i);
    }
    const sorted = Float64Array.from(packed).sort();
    this.#hashes = new Uint32Array(sorted.length);
    this.#owners = new Int32Array(sorted.length);
    for (let j = 0; j < sorted.length; j++) {
      const v = sorted[j]!;
      const h = Math.floor(v / OWNER_BITS);
      this.#hashes[j] = h;
      this.#owners[j] = v - h * OWNER_BITS;
    }
  }

  get ringSize(): number {
    return this.#hashes.length;
  }

  pick(request: PickRequest | undefined): EndpointState {
    const h = requestHash(request, this.#random);
    const hashes = this.#hashes;
    let lo = 0;
    let hi = hashes.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (hashes[mid]! < h) lo = mid + 1;
      else hi = mid;
    }
    const owner = this.#owners[lo === hashes.length ? 0 : lo];
    return this.#nodes[owner ?? 0]!;
  }
}
