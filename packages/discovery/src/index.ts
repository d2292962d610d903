export type { BackoffOptions } from './backoff.js';
export type { Clock, Random } from './clock.js';
export {
  ConsulClient,
  type ConsulClientOptions,
  type ConsulRequest,
  type ConsulResponse,
  type ConsulTlsOptions,
  consulOptionsFromEnv,
} from './consul-client.js';
export { type HealthParseOptions, parseHealthEntries } from './consul-health.js';
export { ConsulRegistry } from './consul-registry.js';
export type { ConsulRegistryOptions } from './consul-registry-options.js';
export { nextIndex } from './consul-service-watch.js';
export {
  createEndpoint,
  createSnapshot,
  type Endpoint,
  type EndpointInput,
  type Snapshot,
  sameSnapshot,
} from './endpoint.js';
export {
  ConsulRequestError,
  InvalidConfigError,
  isConsulRequestError,
  isInvalidConfigError,
  isNoEndpointsError,
  isRegistryClosedError,
  isRegistryUnavailableError,
  isUnknownServiceError,
  NoEndpointsError,
  RegistryClosedError,
  RegistryUnavailableError,
  UnknownServiceError,
} from './errors.js';
export {
  type GracefulShutdown,
  type GracefulShutdownOptions,
  installGracefulShutdown,
  type ShutdownProcess,
} from './graceful-shutdown.js';
export type { Logger } from './logger.js';
export type { Disposer, Registry, WatchEvent, WatchListener } from './registry.js';
export {
  type CheckDefinition,
  type CheckStatus,
  type GrpcCheck,
  type HttpCheck,
  registerService,
  ServiceRegistration,
  type ServiceRegistrationOptions,
  type TtlCheck,
} from './service-registration.js';
export type { Sleep } from './sleep.js';
export {
  parseEndpointString,
  parseStaticJson,
  parseStaticString,
  type StaticServices,
} from './static-config.js';
export { type StaticFileOptions, StaticRegistry } from './static-registry.js';
