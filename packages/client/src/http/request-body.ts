// Which request bodies may be sent again. Strings and bytes can; a stream cannot be replayed, but
// until the transport starts reading it nothing was sent, so a connect failure may still be
// retried: the stream is wrapped to notice its first read.

/** The key under which `client.request` passes a body factory through undici's dispatch options. */
export const BODY_FACTORY = Symbol.for('breakwater.bodyFactory');

export function isReplayable(body: unknown): boolean {
  return (
    body == null ||
    typeof body === 'string' ||
    ArrayBuffer.isView(body) ||
    body instanceof ArrayBuffer ||
    (typeof Blob !== 'undefined' && body instanceof Blob)
  );
}

/** An async iterable over a one-shot body that records whether the transport began to read it. */
export class TrackedBody implements AsyncIterable<unknown> {
  started = false;
  readonly #source: AsyncIterable<unknown> | Iterable<unknown>;

  constructor(source: AsyncIterable<unknown> | Iterable<unknown>) {
    this.#source = source;
  }

  [Symbol.asyncIterator](): AsyncIterator<unknown> {
    this.started = true;
    const s = this.#source as Partial<AsyncIterable<unknown> & Iterable<unknown>>;
    const asyncIter = s[Symbol.asyncIterator];
    if (typeof asyncIter === 'function') return asyncIter.call(s);
    const it = (s as Iterable<unknown>)[Symbol.iterator]();
    return {
      next: () => Promise.resolve(it.next()),
      return: (v?: unknown) => Promise.resolve(it.return?.(v) ?? { done: true as const, value: v }),
    };
  }
}

/** Streams and async iterables (what fetch sends): wrappable. FormData and the like are left alone. */
export function isStreamBody(body: unknown): body is AsyncIterable<unknown> {
  return (
    typeof body === 'object' &&
    body !== null &&
    typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function'
  );
}
