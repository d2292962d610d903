export {
  createGrpcClient,
  type GrpcClient,
  type GrpcClientExtras,
  type GrpcEndpointView,
  type ServiceClientConstructorLike,
} from './create-grpc-client.js';
export type { GrpcClientOptions, GrpcMethodPolicy, GrpcRetryOptions, HealthCheckOptions } from './options.js';
