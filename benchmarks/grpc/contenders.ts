// The clients compared: raw grpc-js, raw grpc-js sending what a traced client with a deadline
// sends, and Breakwater with everything on. Each exposes one Ping as a promise.
import { createGrpcClient } from '@breakwater/client/grpc';
import { StaticRegistry } from '@breakwater/discovery';
import { defaultIdGenerator } from '@breakwater/tracing';
import * as grpc from '@grpc/grpc-js';
import { fullPipelinePolicy } from '../lib/full-policy.js';
import { echoService, REQUEST } from './service.js';

export interface Contender {
  name: string;
  fn: () => Promise<unknown>;
  close(): Promise<void>;
}

export type Ping = (
  req: Buffer,
  md: grpc.Metadata,
  opts: grpc.CallOptions,
  cb: (err: grpc.ServiceError | null, v?: Buffer) => void,
) => unknown;

export function promisePing(
  ping: Ping,
  md: () => grpc.Metadata,
  opts: () => grpc.CallOptions,
): () => Promise<unknown> {
  return () =>
    new Promise((resolve, reject) => {
      ping(REQUEST, md(), opts(), (err, v) => (err === null ? resolve(v) : reject(err)));
    });
}

const Ctor = grpc.makeGenericClientConstructor(echoService, 'Echo');

export function rawGrpc(port: number): Contender {
  const client = new Ctor(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const ping = (client.Ping as Ping).bind(client);
  const empty = {};
  return {
    name: 'raw grpc-js',
    fn: promisePing(
      ping,
      () => new grpc.Metadata(),
      () => empty,
    ),
    close: async () => client.close(),
  };
}

export function rawGrpcTraced(port: number): Contender {
  const client = new Ctor(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const ping = (client.Ping as Ping).bind(client);
  const traceId = defaultIdGenerator.traceId();
  return {
    name: 'raw grpc-js + traceparent + deadline',
    fn: promisePing(
      ping,
      () => {
        const md = new grpc.Metadata();
        md.set('traceparent', `00-${traceId}-${defaultIdGenerator.spanId()}-01`);
        return md;
      },
      () => ({ deadline: Date.now() + 5_000 }),
    ),
    close: async () => client.close(),
  };
}

export function breakwaterGrpc(port: number): Contender {
  const registry = new StaticRegistry({ echo: [`127.0.0.1:${port}`] });
  const client = createGrpcClient(echoService, {
    registry,
    service: 'echo',
    idempotentMethods: ['Ping'],
    ...fullPipelinePolicy(5_000),
  });
  const ping = client.Ping as unknown as Ping;
  return {
    name: 'Breakwater (full pipeline)',
    fn: promisePing(
      ping,
      () => new grpc.Metadata(),
      () => ({}),
    ),
    close: async () => {
      await client.close();
      await registry.close();
    },
  };
}
