// A connection for no-I/O benchmarks: passed to undici's Pool through its `factory` option, it
// answers every request with 200 and a small body, synchronously. What remains measurable is the
// work a client adds around undici's request path. Also the smallest handler undici accepts.
import { Dispatcher } from 'undici';

const rawHeaders = [Buffer.from('content-type'), Buffer.from('application/json')];
const body = Buffer.from('{"ok":true}');
function noop(): void {}

export class InstantConnection extends Dispatcher {
  override dispatch(_opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const h = handler as unknown as {
      onConnect(abort: () => void): void;
      onHeaders(status: number, raw: Buffer[], resume: () => void, text: string): boolean;
      onData(chunk: Buffer): boolean;
      onComplete(trailers: Buffer[]): void;
    };
    h.onConnect(noop);
    h.onHeaders(200, rawHeaders, noop, 'OK');
    h.onData(body);
    h.onComplete([]);
    return true;
  }
  override async close(): Promise<void> {}
  override async destroy(): Promise<void> {}
}

export const instantFactory = (): Dispatcher => new InstantConnection();

let completed = 0;
/** A minimal dispatch handler that counts completions (read with `completedCalls()`). */
export const countingHandler = {
  onConnect: noop,
  onHeaders: () => true,
  onData: () => true,
  onComplete: () => {
    completed++;
  },
  onError: (err: Error) => {
    throw err;
  },
};

export function completedCalls(): number {
  return completed;
}
