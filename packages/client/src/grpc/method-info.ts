import type { MethodDefinition } from '@grpc/grpc-js';
import type { GrpcPlan } from './options.js';

/** A method of the service, resolved once at construction. */
export interface MethodInfo {
  /** The key in the service definition. */
  readonly name: string;
  /** `/pkg.Service/Method`. */
  readonly path: string;
  /** `pkg.Service` and `Method`, for spans. */
  readonly rpcService: string;
  readonly rpcMethod: string;
  readonly serialize: (value: unknown) => Buffer;
  readonly deserialize: (value: Buffer) => unknown;
  readonly plan: GrpcPlan;
}

export function methodInfo(
  name: string,
  def: MethodDefinition<unknown, unknown>,
  plan: GrpcPlan,
): MethodInfo {
  const path = def.path;
  const slash = path.lastIndexOf('/');
  return Object.freeze({
    name,
    path,
    rpcService: path.slice(1, slash),
    rpcMethod: path.slice(slash + 1),
    serialize: def.requestSerialize,
    deserialize: def.responseDeserialize,
    plan,
  });
}
