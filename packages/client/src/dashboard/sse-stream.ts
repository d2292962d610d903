// Server-Sent Events: the open streams, one frame written to all of them per interval. A client
// that cannot keep up (write buffer full) skips frames until it drains: every snapshot is complete,
// so the next one supersedes the skipped ones, and a slow reader costs no unbounded memory.
import type { IncomingMessage, ServerResponse } from 'node:http';

export const SSE_HEADERS = Object.freeze({
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  'x-content-type-options': 'nosniff',
  // Tells buffering proxies (nginx) to pass events through as they come.
  'x-accel-buffering': 'no',
});

/** One SSE frame; `data` must not contain newlines (JSON.stringify output does not). */
export function sseFrame(event: string, data: string): string {
  return `event: ${event}\ndata: ${data}\n\n`;
}

export class SseStreams {
  /** Each open stream, and whether it takes page frames (true) or full snapshots (false). */
  readonly #streams = new Map<ServerResponse, boolean>();
  #pageStreams = 0;
  readonly #onEmpty: () => void;

  constructor(onEmpty: () => void) {
    this.#onEmpty = onEmpty;
  }

  get size(): number {
    return this.#streams.size;
  }

  /** Streams taking page frames. */
  get pageStreams(): number {
    return this.#pageStreams;
  }

  /** Starts a stream on `res` with `first` as its first frame; `page`: it takes page frames after. */
  open(req: IncomingMessage, res: ServerResponse, first: string, page = false): void {
    res.writeHead(200, SSE_HEADERS);
    req.socket.setNoDelay(true);
    // The browser reconnects after 2 s when the stream drops (EventSource's retry field).
    res.write(`retry: 2000\n\n${first}`);
    this.#streams.set(res, page);
    if (page) this.#pageStreams++;
    res.once('close', () => {
      const wasPage = this.#streams.get(res);
      if (!this.#streams.delete(res)) return;
      if (wasPage === true) this.#pageStreams--;
      if (this.#streams.size === 0) this.#onEmpty();
    });
  }

  /** Writes `full` to the snapshot streams and `page` to the page streams (each given when there are some). */
  broadcast(full: string | undefined, page: string | undefined = full): void {
    for (const [res, isPage] of this.#streams) {
      const frame = isPage ? page : full;
      if (frame === undefined || res.writableNeedDrain) continue;
      res.write(frame);
    }
  }

  /** Ends every stream; resolves once each response has closed. */
  async closeAll(): Promise<void> {
    const waits: Promise<void>[] = [];
    for (const res of this.#streams.keys()) {
      waits.push(new Promise<void>((resolve) => res.once('close', () => resolve())));
      // A reader that stopped reading would never take the end: cut it.
      if (res.writableNeedDrain) res.destroy();
      else res.end();
    }
    this.#streams.clear();
    this.#pageStreams = 0;
    await Promise.all(waits);
  }
}
