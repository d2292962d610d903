import type { Snapshot } from './endpoint.js';

/** What a watcher receives: a new snapshot, or an error while the last good snapshot (if any) stays in force. */
export type WatchEvent =
  | { readonly type: 'endpoints'; readonly service: string; readonly endpoints: Snapshot }
  | {
      readonly type: 'error';
      readonly service: string;
      readonly error: Error;
      /** The last good snapshot, still in force, or undefined if none was ever seen. */
      readonly endpoints: Snapshot | undefined;
    };

export type WatchListener = (event: WatchEvent) => void;

/** Removes the listener; idempotent. The upstream watch stops when its last listener goes. */
export type Disposer = () => void;

export interface Registry extends AsyncDisposable {
  /**
   * Follows a service. The listener gets the current snapshot (if one is known) right away, then one
   * event per change; equal consecutive snapshots are not repeated.
   */
  watch(service: string, listener: WatchListener): Disposer;
  /** One-shot lookup; rejects with NoEndpointsError when nothing is healthy. */
  resolve(service: string, signal?: AbortSignal): Promise<Snapshot>;
  /** Stops every watch and releases sockets, timers and file watchers. */
  close(): Promise<void>;
}
