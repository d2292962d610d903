/** What a policy passes to the function it runs. */
export interface ExecuteContext {
  readonly signal: AbortSignal;
  readonly attempt?: number;
}

export type Executable<T> = (ctx: ExecuteContext) => Promise<T> | T;

// Calls without a caller signal share one never-aborting signal and one context object, so
// `execute(fn)` allocates no AbortController per call.
const neverAborted = new AbortController().signal;
export const noSignalContext: ExecuteContext = Object.freeze({ signal: neverAborted });

/** Calls fn with the caller's signal; a synchronous throw becomes a rejection. */
export function invoke<T>(fn: Executable<T>, signal: AbortSignal): Promise<T> {
  try {
    return Promise.resolve(fn({ signal }));
  } catch (err) {
    return Promise.reject(err);
  }
}

/**
 * Settles as soon as `pending` settles or `signal` aborts (then with the signal's reason). The
 * abort listener is removed either way, so nothing is left attached to a long-lived signal.
 */
export function raceAbort<T>(pending: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    pending.catch(() => {}); // its outcome no longer has a reader
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      pending.catch(() => {});
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    pending.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

/** Runs fn with the caller's signal, settling early if the signal aborts. */
export function runWithSignal<T>(fn: Executable<T>, signal: AbortSignal): Promise<T> {
  return raceAbort(invoke(fn, signal), signal);
}

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
