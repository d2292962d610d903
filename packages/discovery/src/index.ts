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
export { isNoRecords } from './dns-srv-lookup.js';
export type { DnsFamily, DnsSrvRegistryOptions } from './dns-srv-options.js';
export { DnsSrvRegistry } from './dns-srv-registry.js';
export {
  refreshDelay,
  type SrvRecord,
  type SrvSelection,
  selectSrvEndpoints,
  type TargetAddress,
  ZERO_WEIGHT,
} from './dns-srv-select.js';
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
  type EtcdInstanceValue,
  etcdInstanceKey,
  formatEtcdInstance,
  parseEtcdInstance,
} from './etcd-instance.js';
export type { EtcdCommonOptions, EtcdConnectionOptions } from './etcd-options.js';
export {
  type EtcdRegistrationOptions,
  EtcdServiceRegistration,
  registerEtcdService,
} from './etcd-registration.js';
export { EtcdRegistry, type EtcdRegistryOptions } from './etcd-registry.js';
export {
  type GracefulShutdown,
  type GracefulShutdownOptions,
  installGracefulShutdown,
  type ShutdownProcess,
} from './graceful-shutdown.js';
export type { Logger } from './logger.js';
export type { Disposer, Registry, WatchEvent, WatchListener } from './registry.js';
export { type Env, type RegistryKind, registryFromEnv } from './registry-from-env.js';
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
