import type { DistributorFactory } from './distributors/distributor.js';
import { MaglevDistributor } from './distributors/maglev.js';
import { P2CDistributor } from './distributors/p2c.js';
import { RandomDistributor } from './distributors/random.js';
import { RingHashDistributor } from './distributors/ring-hash.js';
import { RoundRobinDistributor } from './distributors/round-robin.js';
import { WeightedDistributor } from './distributors/weighted.js';
import { type LoadMetric, leastRequest, peakEwma, type SlowGate } from './load-metric.js';

export type PolicyName =
  | 'round-robin'
  | 'random'
  | 'weighted'
  | 'least-request'
  | 'peak-ewma'
  | 'ring-hash'
  | 'maglev';

export const POLICIES: readonly PolicyName[] = Object.freeze([
  'round-robin',
  'random',
  'weighted',
  'least-request',
  'peak-ewma',
  'ring-hash',
  'maglev',
]);

/** A policy is a distributor plus, for P2C, a load metric (Finagle's split). */
export function distributorFor(policy: PolicyName): DistributorFactory {
  switch (policy) {
    case 'round-robin':
      return (nodes, ctx) => new RoundRobinDistributor(nodes, ctx);
    case 'random':
      return (nodes, ctx) => new RandomDistributor(nodes, ctx);
    case 'weighted':
      return (nodes, ctx) => new WeightedDistributor(nodes, ctx);
    case 'least-request':
    case 'peak-ewma':
      return (nodes, ctx) => new P2CDistributor(nodes, ctx);
    case 'ring-hash':
      return (nodes, ctx) => new RingHashDistributor(nodes, ctx);
    case 'maglev':
      return (nodes, ctx) => new MaglevDistributor(nodes, ctx);
  }
}

export function metricFor(
  policy: PolicyName,
  decayTimeMs: number,
  defaultRttMs: number,
  gate: SlowGate,
): LoadMetric {
  return policy === 'peak-ewma' ? peakEwma(decayTimeMs, defaultRttMs, gate) : leastRequest;
}
