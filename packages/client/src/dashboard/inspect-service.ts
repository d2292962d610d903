// A ServiceState as the dashboard sees it: the service breaker, bulkhead, budget and endpoints.
import type { EndpointSlot } from '../core/endpoint-slot.js';
import type { ServiceState } from '../core/service-state.js';
import type { InspectedEndpoint, ServiceInspection } from './types.js';

export function inspectService<T>(
  svc: ServiceState<T>,
  inflightOf?: (slot: EndpointSlot<T>) => number,
): ServiceInspection {
  const stats = new Map(svc.balancer.stats().map((s) => [s.endpoint.id, s]));
  const endpoints: InspectedEndpoint[] = svc.slots().map((slot) => {
    const s = stats.get(slot.id);
    return Object.freeze({
      id: slot.id,
      host: slot.endpoint.host,
      port: slot.endpoint.port,
      breaker: slot.breaker?.state.type ?? 'closed',
      inflight: inflightOf?.(slot) ?? s?.inflight ?? 0,
      latencyMs: s?.latencyMs ?? 0,
      healthy: s?.healthy ?? true,
      ejected: s?.ejected ?? false,
    });
  });
  const b = svc.bulkhead;
  return Object.freeze({
    name: svc.name,
    breaker: svc.breaker?.state.type ?? 'none',
    bulkhead: b === undefined ? null : Object.freeze({ inFlight: b.inFlight, queued: b.queued }),
    budget: svc.budget === undefined ? null : Object.freeze({ balance: svc.budget.balance() }),
    endpoints: Object.freeze(endpoints),
  });
}
