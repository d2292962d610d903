// The tail benchmark's clients, each over the same three replicas: what a user would otherwise pick
// (undici's BalancedPool; grpc-js with the round_robin policy) and Breakwater with its defaults
// (nothing configured but the service name; GET and the gRPC method are idempotent).
import { createHttpClient } from '@breakwater/client';
import { createGrpcClient } from '@breakwater/client/grpc';
import { StaticRegistry } from '@breakwater/discovery';
import * as grpc from '@grpc/grpc-js';
import { BalancedPool } from 'undici';
import { type Ping, promisePing } from '../grpc/contenders.js';
import { echoService } from '../grpc/service.js';
import type { Replica } from './replicas.js';

export interface Contender {
  readonly name: string;
  readonly protocol: 'HTTP' | 'gRPC';
  readonly fn: () => Promise<unknown>;
  close(): Promise<void>;
}

export function rawBalancedPool(replicas: readonly Replica[]): Contender {
  const pool = new BalancedPool(replicas.map((r) => `http://127.0.0.1:${r.httpPort}`));
  return {
    name: 'undici BalancedPool',
    protocol: 'HTTP',
    fn: async () => {
      const res = await pool.request({ path: '/', method: 'GET' });
      await res.body.text();
    },
    close: () => pool.close(),
  };
}

export function breakwaterHttp(replicas: readonly Replica[], hedged = false): Contender {
  const registry = new StaticRegistry({ echo: replicas.map((r) => `127.0.0.1:${r.httpPort}`) });
  const client = createHttpClient({ registry, services: { echo: hedged ? { hedge: {} } : {} } });
  const dispatcher = client.dispatcher;
  return {
    name: hedged ? 'Breakwater HTTP (defaults + adaptive hedging)' : 'Breakwater HTTP (defaults)',
    protocol: 'HTTP',
    fn: async () => {
      const res = await dispatcher.request({ origin: 'http://echo', path: '/', method: 'GET' });
      await res.body.text();
    },
    close: async () => {
      await client.close();
      await registry.close();
    },
  };
}

const metadata = (): grpc.Metadata => new grpc.Metadata();
const noOptions = (): grpc.CallOptions => ({});

const Echo = grpc.makeGenericClientConstructor(echoService, 'Echo');

export function rawRoundRobin(replicas: readonly Replica[]): Contender {
  const target = `ipv4:${replicas.map((r) => `127.0.0.1:${r.grpcPort}`).join(',')}`;
  const client = new Echo(target, grpc.credentials.createInsecure(), {
    'grpc.service_config': JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] }),
  });
  return {
    name: 'grpc-js round_robin',
    protocol: 'gRPC',
    fn: promisePing((client.Ping as Ping).bind(client), metadata, noOptions),
    close: async () => client.close(),
  };
}

export function breakwaterGrpc(replicas: readonly Replica[]): Contender {
  const registry = new StaticRegistry({ echo: replicas.map((r) => `127.0.0.1:${r.grpcPort}`) });
  const client = createGrpcClient(echoService, { registry, service: 'echo', idempotentMethods: ['Ping'] });
  return {
    name: 'Breakwater gRPC (defaults)',
    protocol: 'gRPC',
    fn: promisePing(client.Ping as unknown as Ping, metadata, noOptions),
    close: async () => {
      await client.close();
      await registry.close();
    },
  };
}
