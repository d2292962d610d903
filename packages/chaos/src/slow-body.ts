import type { ServerResponse } from 'node:http';

type Callback = (error?: Error | null) => void;

function toBuffer(chunk: unknown, encoding: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  return Buffer.from(String(chunk), typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
}

/**
 * Makes `res` send what the handler writes in `chunkBytes` pieces `delayMs` apart. The timer is
 * registered in `timers` so the owner can cancel it; it is dropped when the response closes.
 */
export function dripResponse(
  res: ServerResponse,
  chunkBytes: number,
  delayMs: number,
  timers: Set<NodeJS.Timeout>,
): void {
  const write = res.write.bind(res) as (chunk: Buffer) => boolean;
  const end = res.end.bind(res) as (cb?: () => void) => ServerResponse;
  let pending = Buffer.alloc(0);
  let ended = false;
  let endCallback: Callback | undefined;
  let timer: NodeJS.Timeout | undefined;

  const stop = (): void => {
    if (timer !== undefined) {
      clearTimeout(timer);
      timers.delete(timer);
      timer = undefined;
    }
  };
  const drip = (): void => {
    timer = undefined;
    if (res.destroyed) return;
    if (pending.length > 0) {
      write(pending.subarray(0, chunkBytes));
      pending = pending.subarray(chunkBytes);
    }
    if (pending.length > 0 || !ended) {
      if (pending.length > 0) schedule();
      return;
    }
    end(endCallback === undefined ? undefined : () => endCallback?.());
  };
  const schedule = (): void => {
    if (timer !== undefined) return;
    const t = setTimeout(() => {
      timers.delete(t);
      drip();
    }, delayMs);
    timer = t;
    timers.add(t);
  };
  res.once('close', stop);

  const patched = res as unknown as {
    write: (chunk: unknown, encoding?: unknown, cb?: unknown) => boolean;
    end: (chunk?: unknown, encoding?: unknown, cb?: unknown) => ServerResponse;
  };
  patched.write = (chunk, encoding, cb) => {
    pending = Buffer.concat([pending, toBuffer(chunk, encoding)]);
    schedule();
    const done = typeof encoding === 'function' ? encoding : cb;
    if (typeof done === 'function') process.nextTick(done as Callback);
    return true;
  };
  patched.end = (chunk, encoding, cb) => {
    let done: unknown = cb;
    if (typeof chunk === 'function') done = chunk;
    else {
      if (typeof encoding === 'function') done = encoding;
      if (chunk !== undefined && chunk !== null)
        pending = Buffer.concat([pending, toBuffer(chunk, encoding)]);
    }
    if (typeof done === 'function') endCallback = done as Callback;
    ended = true;
    schedule();
    return res;
  };
}
