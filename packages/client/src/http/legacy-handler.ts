// undici has two handler APIs. Its own request/fetch/stream/pipeline (7.x) pass the older one
// (onConnect/onHeaders/onData/onComplete/onError), and its clients speak it internally, so the
// client works in it end to end; handlers written for the newer API (onRequestStart/
// onResponseStart/…) are adapted once per call, as undici's own UnwrapHandler does.
import type { Duplex } from 'node:stream';
import type { Dispatcher } from 'undici';

export type Abort = (reason?: Error) => void;

export interface LegacyHandler {
  onConnect?(abort: Abort, context?: unknown): void;
  onResponseStarted?(): void;
  onHeaders?(statusCode: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean;
  onData?(chunk: Buffer): boolean;
  onComplete?(trailers: Buffer[] | string[] | null): void;
  onError?(err: Error): void;
  onUpgrade?(statusCode: number, rawHeaders: Buffer[] | string[] | null, socket: Duplex): void;
  onBodySent?(chunkSize: number, totalBytesSent: number): void;
  onRequestSent?(): void;
}

/** Headers as undici's newer API hands them over: lower-case names, repeated ones as arrays. */
function parseRaw(raw: readonly (Buffer | string)[] | null | undefined): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  if (raw == null) return out;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const k = raw[i]!.toString().toLowerCase();
    const v = raw[i + 1]!.toString('latin1' as BufferEncoding);
    const prev = out[k];
    if (prev === undefined) out[k] = v;
    else if (Array.isArray(prev)) prev.push(v);
    else out[k] = [prev, v];
  }
  return out;
}

class Controller {
  paused = false;
  aborted = false;
  reason: Error | null = null;
  rawHeaders: Buffer[] | null = null;
  rawTrailers: Buffer[] | string[] | null = null;
  resumeFn: (() => void) | null = null;
  readonly #abort: Abort;

  constructor(abort: Abort) {
    this.#abort = abort;
  }
  pause(): void {
    this.paused = true;
  }
  resume(): void {
    if (this.paused) {
      this.paused = false;
      this.resumeFn?.();
    }
  }
  abort(reason: Error): void {
    if (!this.aborted) {
      this.aborted = true;
      this.reason = reason;
      this.#abort(reason);
    }
  }
}

/** Presents a newer-API handler through the older API. */
class NewApiAdapter implements LegacyHandler {
  readonly #h: Dispatcher.DispatchHandler;
  #c: Controller | undefined;

  constructor(h: Dispatcher.DispatchHandler) {
    this.#h = h;
  }
  onConnect(abort: Abort, context?: unknown): void {
    this.#c = new Controller(abort);
    this.#h.onRequestStart?.(this.#c as unknown as Dispatcher.DispatchController, context);
  }
  onUpgrade(statusCode: number, rawHeaders: Buffer[] | string[] | null, socket: Duplex): void {
    const c = this.#c!;
    c.rawHeaders = rawHeaders as Buffer[];
    this.#h.onRequestUpgrade?.(
      c as unknown as Dispatcher.DispatchController,
      statusCode,
      parseRaw(rawHeaders),
      socket,
    );
  }
  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean {
    const c = this.#c!;
    c.resumeFn = resume;
    c.rawHeaders = rawHeaders;
    this.#h.onResponseStart?.(
      c as unknown as Dispatcher.DispatchController,
      statusCode,
      parseRaw(rawHeaders),
      statusText,
    );
    return !c.paused;
  }
  onData(chunk: Buffer): boolean {
    const c = this.#c!;
    this.#h.onResponseData?.(c as unknown as Dispatcher.DispatchController, chunk);
    return !c.paused;
  }
  onComplete(trailers: Buffer[] | string[] | null): void {
    const c = this.#c!;
    c.rawTrailers = trailers;
    this.#h.onResponseEnd?.(c as unknown as Dispatcher.DispatchController, parseRaw(trailers));
  }
  onError(err: Error): void {
    if (this.#h.onResponseError === undefined) throw err;
    this.#h.onResponseError(this.#c as unknown as Dispatcher.DispatchController, err);
  }
}

/** The handler in the older API: as is, or adapted when it speaks the newer one. */
export function toLegacy(handler: Dispatcher.DispatchHandler): LegacyHandler {
  return typeof handler.onRequestStart === 'function' ||
    typeof handler.onResponseStart === 'function' ||
    typeof handler.onResponseError === 'function'
    ? new NewApiAdapter(handler)
    : (handler as LegacyHandler);
}
