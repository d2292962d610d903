export {
  type ChaosContext,
  type ChaosFault,
  type ChaosOptions,
  ChaosPolicy,
  type ChaosStats,
  chaos,
} from './chaos-policy.js';
export { InjectedFaultError, isInjectedFaultError, isProxyClosedError, ProxyClosedError } from './errors.js';
export {
  createFaultProxy,
  type FaultProxy,
  type FaultProxyOptions,
  type FaultProxyStats,
} from './fault-proxy.js';
export {
  type GrpcFaultSpec,
  type GrpcFaultStats,
  GrpcFaults,
  type GrpcFaultsOptions,
  type GrpcStatusError,
  type GrpcUnaryHandlerLike,
  grpcFaults,
  parseGrpcFaults,
} from './grpc-faults.js';
export {
  type HttpFaultStats,
  type HttpFaultsController,
  type HttpFaultsListener,
  type HttpFaultsMiddleware,
  type HttpFaultsOptions,
  httpFaults,
  type Next,
  withHttpFaults,
} from './http-faults.js';
export { type HttpFaultSpec, parseHttpFaults } from './http-faults-spec.js';
export { type LatencyDistribution, sampleLatency } from './latency-distribution.js';
export { type ProxyControl, type ProxyControlOptions, startProxyControl } from './proxy-control.js';
export {
  type BandwidthFault,
  type BlackholeFault,
  type Direction,
  type LatencyFault,
  type ProxyFaults,
  parseFaults,
  type ResetFault,
} from './proxy-faults.js';
export { type Random, seededRandom } from './random.js';
