// Outcome recording shared by every transport: one attempt's result goes to the endpoint's
// breaker, the balancer (latency, in-flight, outlier detector), metrics and events; one logical
// call's result goes to the service breaker, the bulkhead, metrics and events.
import type { Permit } from '@breakwater/breaker';
import type { Outcome } from '@breakwater/loadbalance';
import { channels } from './channels.js';
import type { EndpointSlot } from './endpoint-slot.js';
import type { CallOutcome, ServiceMetrics } from './metrics.js';

/**
 * Records one finished attempt. `status` is the protocol's status (HTTP status, gRPC code); `now`,
 * the clock time if the caller has just read it (saves the balancer a clock read).
 */
export function recordAttempt<T>(
  service: string,
  slot: EndpointSlot<T>,
  permit: Permit,
  attempt: number,
  latencyMs: number,
  outcome: Outcome,
  status: number | undefined,
  error: unknown,
  now?: number,
): void {
  slot.handle.done(latencyMs, outcome, now);
  if (outcome === 'success') permit.success(latencyMs);
  else if (outcome === 'cancelled') permit.ignore();
  else permit.failure(latencyMs);
  const m = slot.metrics;
  if (m !== undefined) {
    m.attempts[outcome].inc();
    if (outcome !== 'cancelled') m.latency.observe(latencyMs / 1000);
  }
  if (channels.attemptEnd.hasSubscribers) {
    channels.attemptEnd.publish({
      service,
      endpoint: slot.id,
      attempt,
      outcome,
      statusCode: status,
      error,
      durationMs: latencyMs,
    });
  }
}

/** Settles a logical call's service-level permits and metrics. */
export function settleCall(
  metrics: ServiceMetrics | undefined,
  servicePermit: Permit | undefined,
  bulkheadPermit: Permit | undefined,
  outcome: CallOutcome,
  durationMs: number,
): void {
  if (servicePermit !== undefined) {
    // Refusals and the caller's own aborts say nothing about the service.
    if (outcome === 'success') servicePermit.success(durationMs);
    else if (outcome === 'cancelled' || outcome === 'rejected') servicePermit.ignore();
    else servicePermit.failure(durationMs);
  }
  if (bulkheadPermit !== undefined) {
    // A Bulkhead only releases; an adaptive limiter learns from it: a failed call is a drop.
    if (outcome === 'success') bulkheadPermit.success(durationMs);
    else if (outcome === 'cancelled' || outcome === 'rejected') bulkheadPermit.ignore();
    else bulkheadPermit.failure(durationMs);
  }
  if (metrics !== undefined) {
    metrics.calls[outcome].inc();
    metrics.callLatency[outcome].observe(durationMs / 1000);
  }
}
