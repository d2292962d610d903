// The stream a client-streaming or bidi call returns while discovery has not answered yet: it
// buffers the caller's writes, then forwards both ways to the real grpc-js call once it exists.

import { Duplex } from 'node:stream';
import type { Metadata, ServiceError, StatusObject } from '@grpc/grpc-js';

/** The grpc-js call (writable, and readable for bidi calls). */
export interface RealCall {
  on(event: string, listener: (arg: never) => void): unknown;
  write(chunk: unknown, cb: (err?: Error | null) => void): unknown;
  end(): unknown;
  pause(): unknown;
  resume(): unknown;
  cancel(): void;
  getPeer(): string;
}

export class PendingStream extends Duplex {
  readonly #readable: boolean;
  #real: RealCall | undefined;
  #writes: [unknown, (err?: Error | null) => void][] = [];
  #final: ((err?: Error | null) => void) | undefined;
  #cancelled = false;

  constructor(readable: boolean) {
    super({ objectMode: true });
    this.#readable = readable;
    if (!readable) this.push(null);
  }

  attach(real: RealCall): void {
    this.#real = real;
    real.on('metadata', (md: Metadata) => this.emit('metadata', md));
    real.on('status', (s: StatusObject) => this.emit('status', s));
    real.on('error', (err: ServiceError) => this.destroy(err));
    if (this.#readable) {
      real.on('data', (m: unknown) => {
        if (!this.push(m)) real.pause();
      });
      real.on('end', () => this.push(null));
    }
    for (const [chunk, cb] of this.#writes) real.write(chunk, cb);
    this.#writes = [];
    if (this.#final !== undefined) {
      real.end();
      this.#final();
    }
    if (this.#cancelled) real.cancel();
  }

  override _read(): void {
    this.#real?.resume();
  }

  override _write(chunk: unknown, _encoding: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (this.#real === undefined) this.#writes.push([chunk, cb]);
    else this.#real.write(chunk, cb);
  }

  override _final(cb: (err?: Error | null) => void): void {
    if (this.#real === undefined) this.#final = cb;
    else {
      this.#real.end();
      cb();
    }
  }

  cancel(): void {
    this.#cancelled = true;
    this.#real?.cancel();
  }

  getPeer(): string {
    return this.#real?.getPeer() ?? '';
  }

  getAuthContext(): null {
    return null;
  }
}
