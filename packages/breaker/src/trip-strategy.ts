/** A JSON-safe picture of a strategy's window, tagged with the strategy's `type`. */
export interface StrategySnapshot {
  readonly type: string;
  readonly [key: string]: unknown;
}

/**
 * Decides when a closed breaker opens. The breaker owns the states; a strategy only sees the
 * outcomes of closed-state calls (as in cockatiel's `breaker/`), so writing one takes a few lines.
 * One instance belongs to one breaker: it holds that breaker's window.
 */
export interface TripStrategy {
  /** A stable name, written into snapshots and checked when one is imported. */
  readonly type: string;
  /**
   * false when `record` ignores `now`: the breaker then skips the clock read and passes 0
   * (reading the clock is the dearest step of the hot path). Default true.
   */
  readonly usesTime?: boolean;
  /**
   * false when `record` ignores `durationMs`: `execute` then does not time calls (unless a
   * success/failure listener wants durations) and passes 0. Default true.
   */
  readonly usesDuration?: boolean;
  /** Records one finished closed-state call; returns true when the breaker must open now. */
  record(failed: boolean, durationMs: number, now: number): boolean;
  /** Forgets every recorded call (the breaker calls it when it closes or is reset). */
  reset(now: number): void;
  /** The window as JSON-safe data; times are stored relative to `now`. */
  snapshot(now: number): StrategySnapshot;
  /** Replaces the window with a snapshot taken by the same kind of strategy; throws TypeError otherwise. */
  restore(snapshot: StrategySnapshot, now: number): void;
}

export function checkSnapshotType(snapshot: StrategySnapshot, type: string): void {
  if (typeof snapshot !== 'object' || snapshot === null || snapshot.type !== type) {
    const got = typeof snapshot === 'object' && snapshot !== null ? String(snapshot.type) : typeof snapshot;
    throw new TypeError(`strategy snapshot must be of type "${type}", got "${got}"`);
  }
}
