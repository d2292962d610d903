import type { EndpointState } from '../endpoint-state.js';
import type { LoadMetric } from '../load-metric.js';
import type { LoadTable } from '../load-table.js';
import type { Clock, PickRequest, Random } from '../types.js';

/**
 * Chooses one of a fixed, non-empty list of endpoints. Built once per snapshot (the list never
 * changes under it); may keep a cursor, as grpc-js's RoundRobinPicker does.
 */
export interface Distributor {
  pick(request: PickRequest | undefined): EndpointState;
}

export interface DistributorContext {
  readonly random: Random;
  readonly clock: Clock;
  readonly metric: LoadMetric;
  /** The balancer's load table, where every endpoint's numbers live. */
  readonly table: LoadTable;
  readonly ringReplicas: number;
  readonly maxRingSize: number;
  readonly maglevTableSize: number;
}

export type DistributorFactory = (nodes: readonly EndpointState[], ctx: DistributorContext) => Distributor;

/** A uniform index in [0, n), robust to a random source that returns exactly 1 or garbage. */
export function randomIndex(n: number, random: Random): number {
  const i = (random() * n) | 0;
  return i >= 0 && i < n ? i : 0;
}
