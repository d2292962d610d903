import type { Endpoint } from '@breakwater/discovery';

/** How the core gets a connection handle per endpoint (an undici Pool, a grpc-js channel…). */
export interface Transport<T> {
  create(endpoint: Endpoint): T;
  /** Stop taking calls; let the ones in flight finish for up to `timeoutMs`, then destroy. */
  drain(handle: T, timeoutMs: number): Promise<void>;
}
