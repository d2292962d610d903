/** The breaker's state, a discriminated union on `type`. Times are in the breaker's clock (ms). */
export type CircuitState =
  | { readonly type: 'closed'; readonly since: number }
  | {
      readonly type: 'open';
      readonly since: number;
      /** Clock time from which the next acquire moves the breaker to half-open. */
      readonly retryAt: number;
      /** Openings in a row without a successful close, this one included (1 = first). */
      readonly openings: number;
    }
  | { readonly type: 'half-open'; readonly since: number }
  /** Forced open by `isolate()` until `reset()`. */
  | { readonly type: 'isolated'; readonly since: number };

export type CircuitStateType = CircuitState['type'];

const edges: Readonly<Record<CircuitStateType, readonly CircuitStateType[]>> = Object.freeze({
  closed: ['open', 'isolated'],
  open: ['half-open', 'isolated', 'closed'],
  'half-open': ['closed', 'open', 'isolated'],
  isolated: ['closed'],
});

/**
 * The only moves the breaker makes: closed→open (tripped), open→half-open (open duration over,
 * decided on the next acquire), half-open→closed (enough probe successes), half-open→open (a probe
 * failed), any→isolated by `isolate()`, and back to closed by `reset()`.
 */
export function isLegalTransition(from: CircuitStateType, to: CircuitStateType): boolean {
  return edges[from].includes(to);
}
