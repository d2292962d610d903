// Client-side health checking of one endpoint with grpc.health.v1 (gRFC A17): a `Watch` stream;
// if the server answers UNIMPLEMENTED, `Check` polling; if that is UNIMPLEMENTED too, the endpoint
// counts as serving and checking stops (as gRPC does). A broken stream marks the endpoint down and
// is re-opened with backoff. Verdicts go to `report(serving)`, only when they change.
import { type Client, type ClientReadableStream, Metadata, type ServiceError, status } from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';
import type { ResolvedHealthCheck } from './options.js';

const watchMethod = healthService.Watch!;
const checkMethod = healthService.Check!;
const MAX_RECONNECT_MS = 30_000;

interface HealthResponse {
  status?: string | number;
}

function isServing(r: HealthResponse | undefined): boolean {
  return r?.status === 'SERVING' || r?.status === 1;
}

export class HealthWatcher {
  readonly #client: Client;
  readonly #opts: ResolvedHealthCheck;
  readonly #report: (serving: boolean) => void;
  #stream: ClientReadableStream<HealthResponse> | undefined;
  #check: { cancel(): void } | undefined;
  #timer: NodeJS.Timeout | undefined;
  #reconnectMs: number;
  #serving: boolean | undefined;
  #stopped = false;

  constructor(client: Client, opts: ResolvedHealthCheck, report: (serving: boolean) => void) {
    this.#client = client;
    this.#opts = opts;
    this.#report = report;
    this.#reconnectMs = opts.reconnectMs;
  }

  start(): void {
    this.#watch();
  }

  #set(serving: boolean): void {
    if (this.#stopped || this.#serving === serving) return;
    this.#serving = serving;
    this.#report(serving);
  }

  #watch(): void {
    if (this.#stopped) return;
    const c = this.#client;
    const stream = c.makeServerStreamRequest<{ service: string }, HealthResponse>(
      watchMethod.path,
      watchMethod.requestSerialize,
      watchMethod.responseDeserialize,
      { service: this.#opts.serviceName },
      new Metadata(),
      {},
    );
    this.#stream = stream;
    stream.on('data', (r: HealthResponse) => {
      this.#reconnectMs = this.#opts.reconnectMs;
      this.#set(isServing(r));
    });
    stream.on('error', () => undefined); // the status event below carries the same information
    stream.on('status', (s: { code: number }) => {
      if (this.#stream !== stream) return;
      this.#stream = undefined;
      if (this.#stopped) return;
      if (s.code === status.UNIMPLEMENTED) {
        this.#poll();
        return;
      }
      // The stream broke (server gone, restarting): down until a new stream says otherwise.
      this.#set(false);
      this.#later(() => this.#watch(), this.#reconnectMs);
      this.#reconnectMs = Math.min(this.#reconnectMs * 2, MAX_RECONNECT_MS);
    });
  }

  #poll(): void {
    if (this.#stopped) return;
    const deadline = Date.now() + this.#opts.timeoutMs;
    this.#check = this.#client.makeUnaryRequest<{ service: string }, HealthResponse>(
      checkMethod.path,
      checkMethod.requestSerialize,
      checkMethod.responseDeserialize,
      { service: this.#opts.serviceName },
      new Metadata(),
      { deadline },
      (err: ServiceError | null, r?: HealthResponse) => {
        this.#check = undefined;
        if (this.#stopped) return;
        if (err?.code === status.UNIMPLEMENTED) {
          this.#set(true); // no health service: nothing to go by, like gRPC
          return;
        }
        this.#set(err === null && isServing(r));
        this.#later(() => this.#poll(), this.#opts.pollIntervalMs);
      },
    );
  }

  #later(fn: () => void, ms: number): void {
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      fn();
    }, ms);
    this.#timer.unref();
  }

  /** Ends the stream, the poll and the timer. */
  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    const s = this.#stream;
    this.#stream = undefined;
    s?.cancel();
    const c = this.#check;
    this.#check = undefined;
    c?.cancel();
  }
}
