// node:diagnostics_channel events. Messages are built only when someone subscribes.
import diagnostics from 'node:diagnostics_channel';

export const channels = Object.freeze({
  /** `{ service, method, path, attempt: 0 }`: a logical call starts. */
  requestStart: diagnostics.channel('breakwater:request:start'),
  /** `{ service, method, path, outcome, statusCode?, error?, attempts, durationMs }`: a logical call ends. */
  requestEnd: diagnostics.channel('breakwater:request:end'),
  /** `{ service, endpoint, attempt, hedge }`: an attempt is sent to an endpoint. */
  attemptStart: diagnostics.channel('breakwater:attempt:start'),
  /** `{ service, endpoint, attempt, outcome, statusCode?, error?, durationMs }`: an attempt ends. */
  attemptEnd: diagnostics.channel('breakwater:attempt:end'),
  /** `{ service, attempt, delayMs, reason, statusCode?, error? }`: a retry is scheduled. */
  retry: diagnostics.channel('breakwater:retry'),
  /** `{ service, attempt }`: a hedged (backup) attempt starts. */
  hedge: diagnostics.channel('breakwater:hedge'),
  /** `{ service }`: a retry or hedge was refused by the retry budget. */
  budgetExhausted: diagnostics.channel('breakwater:budget:exhausted'),
  /** `{ service, endpoint (undefined for the service breaker), from, to }`: a breaker changed state. */
  breakerState: diagnostics.channel('breakwater:breaker:state'),
  /** `{ service, endpoint, reason, durationMs, ejections }`: outlier detection ejected an endpoint. */
  eject: diagnostics.channel('breakwater:eject'),
  /** `{ service, endpoint }`: an ejection ended. */
  uneject: diagnostics.channel('breakwater:uneject'),
  /** `{ service, endpoints }` (ids): a new endpoint snapshot was applied. */
  endpoints: diagnostics.channel('breakwater:endpoints'),
  /** `{ service, error }`: the registry reported an error; the last snapshot stays in force. */
  discoveryError: diagnostics.channel('breakwater:discovery:error'),
});
