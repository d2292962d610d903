// The undici Dispatcher users hand to undici.request / undici.fetch / stream / pipeline. It routes
// by the URL's host: a service name goes through the resilient call path; any other host goes to a
// plain Agent or is refused.
import { Agent, Dispatcher } from 'undici';
import type { ClientCore } from '../client-core.js';
import { toLegacy } from './legacy-handler.js';

type Callback = () => void;

export class BreakwaterDispatcher extends Dispatcher {
  readonly #core: ClientCore;

  /** @internal */
  constructor(core: ClientCore) {
    super();
    this.#core = core;
  }

  override dispatch(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    if (handler === null || typeof handler !== 'object') throw new TypeError('handler must be an object');
    return this.#core.dispatch(opts, toLegacy(handler), handler);
  }

  override close(): Promise<void>;
  override close(callback: Callback): void;
  override close(callback?: Callback): Promise<void> | void {
    const p = this.#core.close();
    if (callback === undefined) return p;
    p.then(callback, callback);
  }

  override destroy(): Promise<void>;
  override destroy(err: Error | null): Promise<void>;
  override destroy(callback: Callback): void;
  override destroy(err: Error | null, callback: Callback): void;
  override destroy(a?: Error | null | Callback, b?: Callback): Promise<void> | void {
    const callback = typeof a === 'function' ? a : b;
    const p = this.#core.close(true);
    if (callback === undefined) return p;
    p.then(callback, callback);
  }
}

export { Agent };
