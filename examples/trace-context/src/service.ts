// A test service for the W3C Trace Context conformance harness (w3c/trace-context, test/).
// On POST of a JSON array [{ "url": "...", "arguments": [...] }, ...] it calls each url in order,
// one after the other, with POST and the JSON of `arguments` as body, propagating trace context
// (a new parent-id per call), and answers 200 once all calls are done.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClientTracing, traceRequestListener } from '@breakwater/tracing';

export interface TraceContextServiceOptions {
  /** Port to listen on (0 = any free port). */
  port: number;
  /** Address to bind (default 127.0.0.1). */
  host?: string;
  /** Largest accepted request body in bytes (default 1 MiB). */
  maxBodyBytes?: number;
}

export interface TraceContextService {
  readonly port: number;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

interface Instruction {
  url: string;
  arguments: unknown;
}

function isInstructionList(v: unknown): v is Instruction[] {
  return (
    Array.isArray(v) &&
    v.every((i) => typeof i === 'object' && i !== null && typeof (i as { url?: unknown }).url === 'string')
  );
}

async function readBody(req: IncomingMessage, max: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export async function startTraceContextService(
  options: TraceContextServiceOptions,
): Promise<TraceContextService> {
  const { port, host = '127.0.0.1', maxBodyBytes = 1024 * 1024 } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`port must be an integer in [0, 65535], got ${port}`);
  }
  // No OpenTelemetry SDK needed: without one, ids are still generated and forwarded.
  const client = createClientTracing();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'POST') return reply(res, 405, { error: 'POST a JSON array of { url, arguments }' });
    const text = await readBody(req, maxBodyBytes);
    if (text === undefined) return reply(res, 413, { error: 'body too large' });
    let instructions: unknown;
    try {
      instructions = JSON.parse(text);
    } catch {
      return reply(res, 400, { error: 'body is not JSON' });
    }
    if (!isInstructionList(instructions))
      return reply(res, 400, { error: 'expected [{ "url": "...", "arguments": [...] }]' });

    const results: Array<{ url: string; status?: number; error?: string }> = [];
    for (const { url, arguments: args } of instructions) {
      // One logical call with one attempt: the attempt's span id is the new parent-id sent.
      const call = client.startHttpCall({ method: 'POST', url });
      const attempt = call.startAttempt({ url });
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      attempt.inject(headers);
      try {
        const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify(args ?? []) });
        await response.arrayBuffer();
        attempt.end({ statusCode: response.status });
        call.end({ statusCode: response.status });
        results.push({ url, status: response.status });
      } catch (error) {
        attempt.end({ error });
        call.end({ error });
        results.push({ url, error: error instanceof Error ? error.message : String(error) });
      }
    }
    reply(res, 200, { results });
  };

  const server = createServer(
    traceRequestListener((req, res) => {
      handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) reply(res, 500, { error: String(error) });
        else res.destroy();
      });
    }),
  );
  server.listen(port, host);
  await once(server, 'listening');
  const bound = (server.address() as AddressInfo).port;

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= new Promise<void>((resolve, reject) => {
      server.close((err) => (err ? reject(err) : resolve()));
      server.closeAllConnections();
    });
    return closed;
  };
  return { port: bound, close, [Symbol.asyncDispose]: close };
}
