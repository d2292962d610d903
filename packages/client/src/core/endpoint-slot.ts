import type { CircuitBreaker } from '@breakwater/breaker';
import type { Endpoint } from '@breakwater/discovery';
import type { PickedEndpoint } from '@breakwater/loadbalance';
import type { EndpointMetrics } from './metrics.js';

/** One endpoint of a service: its balancer handle, breaker, metrics and transport (pool/channel). */
export class EndpointSlot<T> {
  readonly id: string;
  endpoint: Endpoint;
  readonly handle: PickedEndpoint;
  readonly transport: T;
  readonly breaker: CircuitBreaker | undefined;
  readonly metrics: EndpointMetrics | undefined;
  /** Origin of the endpoint, `http://host:port`, for spans and logs. */
  readonly origin: string;
  /** Clock time at which an open breaker may probe again; -1 when not benched. */
  benchedUntil = -1;
  /** An active health check reports the endpoint as not serving (kept out of the picker). */
  healthDown = false;

  constructor(
    endpoint: Endpoint,
    handle: PickedEndpoint,
    transport: T,
    breaker: CircuitBreaker | undefined,
    metrics: EndpointMetrics | undefined,
  ) {
    this.id = endpoint.id;
    this.endpoint = endpoint;
    this.handle = handle;
    this.transport = transport;
    this.breaker = breaker;
    this.metrics = metrics;
    const host = endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host;
    this.origin = `http://${host}:${endpoint.port}`;
  }
}
