import type { ClientTracing, IdGenerator } from '@breakwater/tracing';
import type { Clock } from '../clock.js';
import type { HttpCall } from './http-call.js';

/** What every call of one client shares. */
export interface HttpCallContext {
  readonly clock: Clock;
  readonly tracing: ClientTracing | undefined;
  readonly ids: IdGenerator;
  readonly propagateDeadline: boolean;
  readonly closed: boolean;
  /** True when no OpenTelemetry SDK is registered (and no tracer was given): spans can be skipped. */
  noSdk(now: number): boolean;
  link(call: HttpCall): void;
  unlink(call: HttpCall): void;
  /** Makes sure the client's ticker runs (a call has a timed event). */
  tick(): void;
}
