// The benchmark's service: one unary method, bytes in and out (identity serializers), so both
// contenders measure the client, not protobuf.
import type { ServiceDefinition } from '@grpc/grpc-js';

const identity = (b: Buffer): Buffer => b;

export const echoService: ServiceDefinition = {
  Ping: {
    path: '/bench.Echo/Ping',
    requestStream: false,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  },
};

export const REQUEST = Buffer.from('{"q":1}');
export const REPLY = Buffer.from('{"ok":true}');
