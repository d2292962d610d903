// The anchor proxies: what a hand-written Node reverse proxy costs. Each routes `/echo/<rest>` to
// `/<rest>` on the one upstream, strips hop-by-hop headers both ways, adds X-Forwarded-For, and
// streams the response back; an upstream failure is a bare 502. No discovery, balancing, breakers,
// retries, deadlines, tracing or cancellation — that is what the gateway adds on top.
import {
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { pipeline } from 'node:stream/promises';
import { Pool } from 'undici';
import { stripHopByHop, stripPrefix } from './hop-by-hop.js';

export interface ProxyHandler {
  handler: (req: IncomingMessage, res: ServerResponse) => void;
  close(): Promise<void>;
}

function badGateway(res: ServerResponse): void {
  if (res.headersSent) res.destroy();
  else {
    res.writeHead(502, { 'content-length': 0 });
    res.end();
  }
}

function notFound(res: ServerResponse): void {
  res.writeHead(404, { 'content-length': 0 });
  res.end();
}

function hasBody(req: IncomingMessage): boolean {
  return req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
}

/** undici only: one Pool to the upstream; `pool.stream` writes the upstream body straight into `res`. */
export function undiciProxy(upstreamPort: number): ProxyHandler {
  const pool = new Pool(`http://127.0.0.1:${upstreamPort}`);
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const path = stripPrefix(req.url);
    if (path === undefined) {
      notFound(res);
      return;
    }
    const headers = stripHopByHop(req.headers, true);
    headers['x-forwarded-for'] = req.socket.remoteAddress;
    pool
      .stream(
        {
          path,
          method: req.method as 'GET',
          headers: headers as Record<string, string>,
          body: hasBody(req) ? req : null,
          opaque: res,
        },
        ({ statusCode, headers: upHeaders, opaque }) => {
          const out = opaque as ServerResponse;
          out.writeHead(statusCode, stripHopByHop(upHeaders, false));
          return out;
        },
      )
      .catch(() => badGateway(res));
  };
  return { handler, close: () => pool.close() };
}

/**
 * Diagnostic variant: the undici proxy written the way the gateway moves bytes —
 * `pool.request` (a Readable body), an AbortController per request aborted on downstream close, and
 * `await pipeline(body, res)` from node:stream/promises — to price that plumbing on its own.
 */
export function undiciPipelineProxy(upstreamPort: number): ProxyHandler {
  const pool = new Pool(`http://127.0.0.1:${upstreamPort}`);
  const proxy = async (req: IncomingMessage, res: ServerResponse, path: string): Promise<void> => {
    const headers = stripHopByHop(req.headers, true);
    headers['x-forwarded-for'] = req.socket.remoteAddress;
    const ac = new AbortController();
    const onClose = (): void => {
      if (!res.writableFinished) ac.abort();
    };
    res.once('close', onClose);
    try {
      const up = await pool.request({
        path,
        method: req.method as 'GET',
        headers: headers as Record<string, string>,
        body: hasBody(req) ? req : null,
        signal: ac.signal,
      });
      res.writeHead(up.statusCode, stripHopByHop(up.headers, false));
      await pipeline(up.body, res);
    } catch {
      badGateway(res);
    } finally {
      res.off('close', onClose);
    }
  };
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const path = stripPrefix(req.url);
    if (path === undefined) notFound(res);
    else void proxy(req, res, path);
  };
  return { handler, close: () => pool.close() };
}

/** node:http only: a keep-alive Agent and `http.request`, piping both ways. */
export function nodeProxy(upstreamPort: number): ProxyHandler {
  const agent = new HttpAgent({ keepAlive: true });
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const path = stripPrefix(req.url);
    if (path === undefined) {
      notFound(res);
      return;
    }
    const headers = stripHopByHop(req.headers, true);
    headers['x-forwarded-for'] = req.socket.remoteAddress;
    const up = httpRequest(
      { host: '127.0.0.1', port: upstreamPort, agent, path, method: req.method, headers },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, stripHopByHop(upRes.headers, false));
        upRes.pipe(res);
      },
    );
    up.on('error', () => badGateway(res));
    if (hasBody(req)) req.pipe(up);
    else up.end();
  };
  return {
    handler,
    close: async () => {
      agent.destroy();
    },
  };
}
