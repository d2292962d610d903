import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type CallOutcome,
  checkLimiter,
  resolveShedOptions,
  type SheddingLimiter,
  type ShedOptions,
  settlePermit,
} from './shed-options.js';
import * as check from './validate.js';

export interface HttpShedOptions extends ShedOptions {
  /**
   * How a finished response is reported (default: 503 and 504 are drops — the handler itself
   * was overloaded or timed out downstream — everything else a success with its RTT).
   */
  classify?: (res: ServerResponse) => CallOutcome;
  /**
   * How a response closed before it finished (the client went away or the socket died) is
   * reported (default `'ignore'`, as Netflix's gRPC interceptor treats a cancel: a client's
   * patience is not the server's latency). `'dropped'` makes impatient clients lower the limit.
   */
  onClose?: 'ignore' | 'dropped';
  /** Writes the shed response (default: 503, `Retry-After`, a short text body). */
  respond?: (req: IncomingMessage, res: ServerResponse, retryAfterSeconds: number) => void;
}

export type HttpMiddleware = (
  req: IncomingMessage,
  res: ServerResponse,
  next: (err?: unknown) => void,
) => void;
export type HttpListener = (req: IncomingMessage, res: ServerResponse) => void;

function defaultClassify(res: ServerResponse): CallOutcome {
  return res.statusCode === 503 || res.statusCode === 504 ? 'dropped' : 'success';
}

function defaultRespond(_req: IncomingMessage, res: ServerResponse, retryAfterSeconds: number): void {
  res.statusCode = 503;
  res.setHeader('Retry-After', String(retryAfterSeconds));
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.end('Service overloaded: concurrency limit reached\n');
}

/**
 * Connect/Express-style middleware that sheds load before any work is done: over the limit it
 * answers 503 with `Retry-After` and does not call `next`; otherwise it holds a permit until the
 * response finishes (RTT = request start → `'finish'`) or closes early (see `onClose`).
 */
export function httpShedding(limiter: SheddingLimiter, options: HttpShedOptions = {}): HttpMiddleware {
  checkLimiter(limiter);
  const { retryAfterMs, clock } = resolveShedOptions(options);
  const classify =
    options.classify === undefined
      ? defaultClassify
      : check.func<typeof defaultClassify>('classify', options.classify);
  const respond =
    options.respond === undefined
      ? defaultRespond
      : check.func<typeof defaultRespond>('respond', options.respond);
  const onClose = options.onClose ?? 'ignore';
  if (onClose !== 'ignore' && onClose !== 'dropped') {
    throw new RangeError(`onClose must be 'ignore' or 'dropped', got ${JSON.stringify(onClose)}`);
  }
  const retryAfterSeconds = Math.ceil(retryAfterMs / 1000);
  return (req, res, next) => {
    const permit = limiter.tryAcquire();
    if (permit === undefined) {
      respond(req, res, retryAfterSeconds);
      return;
    }
    const start = clock.now();
    // 'close' follows 'finish' on every response; the permit settles once, so only the first counts.
    const done = (): void => {
      res.off('finish', done);
      res.off('close', done);
      const outcome = res.writableFinished ? classify(res) : onClose;
      settlePermit(permit, outcome, clock.now() - start);
    };
    res.on('finish', done);
    res.on('close', done);
    next();
  };
}

/** Wraps a plain `http.createServer` listener with `httpShedding`. */
export function withHttpShedding(
  limiter: SheddingLimiter,
  listener: HttpListener,
  options: HttpShedOptions = {},
): HttpListener {
  check.func('listener', listener);
  const middleware = httpShedding(limiter, options);
  return (req, res) => middleware(req, res, () => listener(req, res));
}
