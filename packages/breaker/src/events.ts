// Typed, disposable listeners. Each event keeps a copy-on-write array (shared empty array until the
// first subscriber, so an idle breaker carries no per-event objects); an emit never iterates a
// list a listener is changing, and with no listeners costs one length read.

/** Returned by every `on…` method; call `dispose()` (or use `using`) to unsubscribe. */
export interface Disposable {
  dispose(): void;
  [Symbol.dispose](): void;
}

export type Listener<T> = (event: T) => void;

export const noListeners: readonly never[] = Object.freeze([]);

export function withListener<T>(
  listeners: readonly Listener<T>[],
  listener: Listener<T>,
): readonly Listener<T>[] {
  if (typeof listener !== 'function')
    throw new TypeError(`listener must be a function, got ${typeof listener}`);
  return [...listeners, listener];
}

export function withoutListener<T>(
  listeners: readonly Listener<T>[],
  listener: Listener<T>,
): readonly Listener<T>[] {
  const i = listeners.indexOf(listener);
  if (i < 0) return listeners;
  const rest = listeners.filter((_, k) => k !== i);
  return rest.length === 0 ? noListeners : rest;
}

/** A Disposable whose action runs once however often it is disposed. */
export function disposable(action: () => void): Disposable {
  let active = true;
  const dispose = (): void => {
    if (!active) return;
    active = false;
    action();
  };
  return { dispose, [Symbol.dispose]: dispose };
}

/** Calls each listener; a throwing listener is reported asynchronously and does not stop the others. */
export function emit<T>(listeners: readonly Listener<T>[], event: T): void {
  for (let i = 0; i < listeners.length; i++) {
    try {
      listeners[i]!(event);
    } catch (err) {
      queueMicrotask(() => {
        throw err;
      });
    }
  }
}
