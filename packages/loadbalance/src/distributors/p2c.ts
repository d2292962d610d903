import type { EndpointState } from '../endpoint-state.js';
import type { LoadMetric } from '../load-metric.js';
import type { LoadTable } from '../load-table.js';
import type { Clock, PickRequest, Random } from '../types.js';
import type { Distributor, DistributorContext } from './distributor.js';

/**
 * Power of two choices (Finagle's P2CPick): two distinct uniform candidates, keep the less loaded
 * (the first on a tie). Pure: the candidates' load-table slots, the metric, the RNG and the clock
 * are all arguments; returns the chosen index into `slots`. O(1). Both candidates come from one
 * random draw: a uniform integer in [0, n(n−1)) is a uniform ordered pair of distinct indices.
 */
export function p2cPick(
  slots: Int32Array,
  table: LoadTable,
  metric: LoadMetric,
  random: Random,
  clock: Clock,
): number {
  const n = slots.length;
  if (n === 1) return 0;
  const m = n - 1;
  let r = Math.floor(random() * n * m);
  if (!(r >= 0 && r < n * m)) r = 0;
  const a = Math.floor(r / m);
  let b = r - a * m;
  if (b >= a) b++;
  return metric.less(table, slots[b]!, slots[a]!, clock) ? b : a;
}

export class P2CDistributor implements Distributor {
  readonly #nodes: readonly EndpointState[];
  readonly #slots: Int32Array;
  readonly #table: LoadTable;
  readonly #ctx: DistributorContext;

  constructor(nodes: readonly EndpointState[], ctx: DistributorContext) {
    this.#nodes = nodes;
    this.#ctx = ctx;
    this.#table = ctx.table;
    this.#slots = Int32Array.from(nodes, (node) => node.slot);
  }

  pick(_request: PickRequest | undefined): EndpointState {
    const ctx = this.#ctx;
    return this.#nodes[p2cPick(this.#slots, this.#table, ctx.metric, ctx.random, ctx.clock)]!;
  }
}
