import type { EndpointState } from '../endpoint-state.js';
import { hash32 } from '../hash.js';
import type { PickRequest, Random } from '../types.js';
import type { Distributor, DistributorContext } from './distributor.js';
import { requestHash } from './key-hash.js';

const OFFSET_SEED = 0x9e3779b9;
const SKIP_SEED = 0x85ebca6b;

/**
 * Maglev consistent hashing (Eisenbud et al., NSDI 2016; Envoy's weighted variant): each endpoint
 * walks its own permutation of a prime-sized table and claims free slots in turn, weighted turns
 * for weighted endpoints. Lookups are one table read; each endpoint's share is within a slot or so
 * of M/n, and a change of membership moves few keys. The table depends only on the set of ids.
 */
export class MaglevDistributor implements Distributor {
  readonly #nodes: readonly EndpointState[];
  readonly #random: Random;
  readonly #table: Int32Array;

  constructor(nodes: readonly EndpointState[], ctx: DistributorContext) {
    const m = ctx.maglevTableSize;
    this.#random = ctx.random;
    // Build over the ids in sorted order so the table does not depend on snapshot order.
    const sorted = [...nodes].sort((a, b) =>
      a.endpoint.id < b.endpoint.id ? -1 : a.endpoint.id > b.endpoint.id ? 1 : 0,
    );
    this.#nodes = sorted;
    const n = sorted.length;
    const offset = new Float64Array(n);
    const skip = new Float64Array(n);
    const next = new Float64Array(n);
    const weight = new Float64Array(n);
    const target = new Float64Array(n);
    let maxWeight = 0;
    for (const node of sorted) maxWeight = Math.max(maxWeight, node.weight);
    for (let i = 0; i < n; i++) {
      const id = sorted[i]!.endpoint.id;
      offset[i] = hash32(id, OFFSET_SEED) % m;
      skip[i] = (hash32(id, SKIP_SEED) % (m - 1)) + 1;
      // Relative to the heaviest, so equal weights stay exact integers in the turn arithmetic.
      weight[i] = sorted[i]!.weight / maxWeight;
      target[i] = weight[i]!;
    }
    const table = new Int32Array(m).fill(-1);
    let filled = 0;
    for (let iteration = 1; filled < m; iteration++) {
      for (let i = 0; i < n && filled < m; i++) {
        if (iteration * weight[i]! < target[i]!) continue;
        target[i] = target[i]! + 1;
        let c = (offset[i]! + skip[i]! * next[i]!) % m;
        while (table[c] !== -1) {
          next[i] = next[i]! + 1;
          c = (offset[i]! + skip[i]! * next[i]!) % m;
        }
        table[c] = i;
        next[i] = next[i]! + 1;
        filled++;
      }
    }
    this.#table = table;
  }

  /** How many table slots each endpoint owns, by id (for balance checks). */
  slotCounts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const i of this.#table) {
      const id = this.#nodes[i]!.endpoint.id;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    return counts;
  }

  pick(request: PickRequest | undefined): EndpointState {
    const h = requestHash(request, this.#random);
    return this.#nodes[this.#table[h % this.#table.length]!]!;
  }
}
