// The handle every start<Name>() returns (shared with the launcher; see shop-contract).
export interface RunningService {
  readonly service: string;
  readonly instance: string;
  /** The service port (HTTP, or gRPC for pricing). */
  readonly port: number;
  /** Where /health, /metrics and /admin/faults are: `port` for HTTP services, pricing's admin port. */
  readonly adminPort: number;
  /** Graceful: health turns 503, registrations are removed, in-flight work drains (bounded). Idempotent. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}
