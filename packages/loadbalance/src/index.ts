export type {
  BalancerEvents,
  EjectionEvent,
  EndpointStats,
  UnejectionEvent,
} from './balancer.js';
export { Balancer } from './balancer.js';
export type { BalancerOptions, ResolvedBalancerOptions } from './balancer-options.js';
export { BALANCER_DEFAULTS } from './balancer-options.js';
export type { Distributor, DistributorContext, DistributorFactory } from './distributors/distributor.js';
export { randomIndex } from './distributors/distributor.js';
export { requestHash } from './distributors/key-hash.js';
export { MaglevDistributor } from './distributors/maglev.js';
export { P2CDistributor, p2cPick } from './distributors/p2c.js';
export { RandomDistributor } from './distributors/random.js';
export { RingHashDistributor } from './distributors/ring-hash.js';
export { RoundRobinDistributor } from './distributors/round-robin.js';
export { WeightedDistributor } from './distributors/weighted.js';
export { EndpointState } from './endpoint-state.js';
export { isNoEndpointsError, NoEndpointsError } from './errors.js';
export { fmix32, hash32 } from './hash.js';
export type { LoadMetric, SlowGate } from './load-metric.js';
export { leastRequest, peakEwma } from './load-metric.js';
export { LoadTable } from './load-table.js';
export type { EjectionReason, OutlierHooks } from './outlier-detector.js';
export { OutlierDetector, OutlierHost } from './outlier-detector.js';
export type { OutlierDetectionOptions, ResolvedOutlierOptions } from './outlier-options.js';
export { OUTLIER_DEFAULTS, resolveOutlierOptions } from './outlier-options.js';
export { currentEwma, observeEwma } from './peak-ewma.js';
export type { Picker } from './picker.js';
export { FailPicker, SnapshotPicker } from './picker.js';
export type { PolicyName } from './policy.js';
export { POLICIES } from './policy.js';
export type {
  Clock,
  Endpoint,
  FailReason,
  Outcome,
  PickedEndpoint,
  PickFailure,
  PickRequest,
  PickResult,
  Random,
} from './types.js';
export { outcomeFromStatus } from './types.js';
