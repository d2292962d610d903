// What every call of one gRPC client shares: the service state (discovery, balancer, breakers,
// bulkhead, budget, one channel per endpoint), tracing, and the calls sleeping between attempts
// (so close() can end them).
import {
  type ClientTracing,
  createClientTracing,
  defaultIdGenerator,
  type IdGenerator,
} from '@breakwater/tracing';
import type { Clock } from '../clock.js';
import { ClientMetrics } from '../core/metrics.js';
import { SdkProbe } from '../core/sdk-probe.js';
import { ServiceState } from '../core/service-state.js';
import type { Transport } from '../core/transport.js';
import type { GrpcEndpoint } from './grpc-transport.js';
import type { ResolvedGrpcOptions } from './options.js';

/** A call that can be ended by close() while it waits for a retry. */
export interface Sleeper {
  closeIfIdle(): void;
}

export class GrpcContext {
  readonly clock: Clock;
  readonly svc: ServiceState<GrpcEndpoint>;
  readonly tracing: ClientTracing | undefined;
  readonly ids: IdGenerator;
  readonly metrics: ClientMetrics | undefined;
  readonly sleeping = new Set<Sleeper>();
  closed = false;
  readonly #sdk: SdkProbe;

  constructor(
    options: ResolvedGrpcOptions,
    metrics: { registry: unknown; prefix?: string } | undefined,
    transport: Transport<GrpcEndpoint>,
  ) {
    this.clock = options.clock;
    const t = options.tracing;
    this.tracing = t === false ? undefined : createClientTracing(t);
    this.ids = (t === false ? undefined : t.ids) ?? defaultIdGenerator;
    this.#sdk = new SdkProbe(t !== false && t.tracer !== undefined);
    this.metrics =
      metrics === undefined
        ? undefined
        : new ClientMetrics(metrics.registry, metrics.prefix ?? 'breakwater_grpc_client_', {
            forEachService: (fn) => fn(this.svc.name, this.svc.counts()),
          });
    this.svc = new ServiceState<GrpcEndpoint>(
      options.service,
      options.policy,
      {
        registry: options.registry,
        clock: options.clock,
        random: options.random,
        metrics: this.metrics,
        evaluateIntervalMs: options.evaluateIntervalMs,
      },
      transport,
    );
  }

  /** True when no OpenTelemetry SDK is registered (rechecked at most every 250 ms). */
  noSdk(now: number): boolean {
    return this.#sdk.noSdk(now);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const s of [...this.sleeping]) s.closeIfIdle();
    await this.svc.close();
  }
}
