// The request body as the client gets it. A body with a known length up to `maxBufferedBodyBytes`
// is read into one Buffer first, so the client may send it again on a retry; anything else is
// streamed (sent once: the client can retry it only after a connect failure, when nothing was
// read). Both enforce `maxBodyBytes`.
import type { IncomingMessage } from 'node:http';
import { BodyTooLargeError } from './errors.js';

/** The inbound request has a body: a non-zero Content-Length, or Transfer-Encoding. */
export function hasBody(req: IncomingMessage): boolean {
  const cl = req.headers['content-length'];
  if (cl !== undefined) return cl !== '0';
  return req.headers['transfer-encoding'] !== undefined;
}

/** Reads the whole body (the caller checked Content-Length against the limits). */
export async function bufferBody(req: IncomingMessage, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > max) throw new BodyTooLargeError(max);
    chunks.push(b);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
}

/** Streams the body, failing once more than `max` bytes went through. */
export async function* limitedBody(req: IncomingMessage, max: number): AsyncGenerator<Buffer> {
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > max) throw new BodyTooLargeError(max);
    yield b;
  }
}
