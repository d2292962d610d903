// An endpoint's undici Pool, created on the endpoint's first request: an undici Pool preallocates
// its request queue (about 18 KB), so a large snapshot of endpoints that are rarely or never picked
// costs next to nothing until used.
import { type Dispatcher, errors, Pool } from 'undici';

export class LazyPool {
  readonly origin: string;
  readonly #options: Pool.Options;
  #pool: Pool | undefined;
  #closed = false;

  constructor(origin: string, options: Pool.Options) {
    this.origin = origin;
    this.#options = options;
  }

  /** The Pool, if a request has created it. */
  get pool(): Pool | undefined {
    return this.#pool;
  }

  dispatch(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    if (this.#pool === undefined) {
      if (this.#closed) {
        // A departed endpoint: fail like a closed undici Pool would, without creating one.
        (handler as { onError?(err: Error): void }).onError?.(new errors.ClientClosedError());
        return false;
      }
      this.#pool = new Pool(this.origin, this.#options);
    }
    return this.#pool.dispatch(opts, handler);
  }

  /** No more pools after this; the caller drains the one that exists, if any. */
  markClosed(): Pool | undefined {
    this.#closed = true;
    return this.#pool;
  }
}
