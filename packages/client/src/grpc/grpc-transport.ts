// A grpc-js Client (one channel) per endpoint, sharing credentials and channel options, with its
// health watcher. A departed endpoint stops its health check at once; its channel is closed after
// the calls in flight end or `drainTimeoutMs`, whichever comes first.
import type { Endpoint } from '@breakwater/discovery';
import { type ChannelCredentials, type ChannelOptions, Client } from '@grpc/grpc-js';
import type { Transport } from '../core/transport.js';
import { HealthWatcher } from './health-watcher.js';
import type { ResolvedHealthCheck } from './options.js';

export class GrpcEndpoint {
  readonly client: Client;
  readonly address: string;
  health: HealthWatcher | undefined;
  /** Calls in flight on this channel. */
  inFlight = 0;
  #onIdle: (() => void) | undefined;

  constructor(address: string, client: Client) {
    this.address = address;
    this.client = client;
  }

  /** A call on this channel ended. */
  release(): void {
    if (--this.inFlight === 0 && this.#onIdle !== undefined) this.#onIdle();
  }

  whenIdle(cb: () => void): void {
    if (this.inFlight === 0) cb();
    else this.#onIdle = cb;
  }
}

export function grpcTransport(
  credentials: ChannelCredentials,
  channelOptions: ChannelOptions,
  healthCheck: ResolvedHealthCheck | undefined,
  onHealth: (id: string, serving: boolean) => void,
): Transport<GrpcEndpoint> {
  return {
    create(endpoint: Endpoint): GrpcEndpoint {
      const host = endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host;
      const address = `${host}:${endpoint.port}`;
      const ep = new GrpcEndpoint(address, new Client(address, credentials, channelOptions));
      if (healthCheck !== undefined) {
        const id = endpoint.id;
        ep.health = new HealthWatcher(ep.client, healthCheck, (serving) => onHealth(id, serving));
        ep.health.start();
      }
      return ep;
    },
    async drain(ep: GrpcEndpoint, timeoutMs: number): Promise<void> {
      ep.health?.stop();
      if (timeoutMs > 0 && ep.inFlight > 0) {
        let timer: NodeJS.Timeout | undefined;
        await new Promise<void>((resolve) => {
          timer = setTimeout(resolve, timeoutMs);
          timer.unref();
          ep.whenIdle(resolve);
        });
        clearTimeout(timer);
      }
      ep.client.close();
    },
  };
}
