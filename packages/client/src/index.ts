export type { Clock, Random } from './clock.js';
export { channels } from './core/channels.js';
export { EndpointSlot } from './core/endpoint-slot.js';
export { ATTEMPT_OUTCOMES, CALL_OUTCOMES } from './core/metrics.js';
export {
  MAX_PICKS,
  NO_PERMIT,
  type ServiceContext,
  ServiceState,
  type TriedSet,
} from './core/service-state.js';
export type { Transport } from './core/transport.js';
export {
  type ClientRequestOptions,
  type CreateHttpClientOptions,
  createHttpClient,
  type EndpointView,
  type HttpClient,
  type RequestBody,
} from './create-http-client.js';
export {
  createDashboard,
  DASHBOARD_DEFAULTS,
  type Dashboard,
  type DashboardEvent,
  type DashboardEventKind,
  type DashboardHandler,
  type DashboardOptions,
  type DashboardSnapshot,
  type DashboardSource,
  type EndpointSnapshot,
  type InspectedEndpoint,
  type ServiceInspection,
  type ServiceSnapshot,
} from './dashboard/index.js';
export {
  type CallReport,
  ClientClosedError,
  DeadlineExceededError,
  type GiveUpReason,
  HedgeLostError,
  isClientClosedError,
  isDeadlineExceededError,
  isHedgeLostError,
  isNoEndpointsError,
  isPerTryTimeoutError,
  isRequestFailedError,
  isUnknownServiceError,
  NoEndpointsError,
  PerTryTimeoutError,
  RequestFailedError,
  UnknownServiceError,
} from './errors.js';
export { BreakwaterDispatcher } from './http/breakwater-dispatcher.js';
export { BODY_FACTORY } from './http/request-body.js';
export {
  type BreakerPolicy,
  type CallPolicy,
  DEFAULT_STATUSES,
  type HedgeOptions,
  type HttpClientOptions,
  type MetricsOptions,
  type PoolPolicy,
  type RetryOptions,
  type RouteOverride,
  SERVICE_DEFAULTS,
  type ServicePolicy,
} from './options.js';
