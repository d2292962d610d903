// The benchmark's upstream: a grpc-js server in its own process answering every Ping with 11
// bytes. Prints its port on stdout as `PORT <n>`; exits when stdin closes.
import * as grpc from '@grpc/grpc-js';
import { echoService, REPLY } from './service.js';

const server = new grpc.Server();
server.addService(echoService, {
  Ping: (_call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => cb(null, REPLY),
});
server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => {
  if (err !== null) throw err;
  process.stdout.write(`PORT ${port}\n`);
});
process.stdin.on('close', () => process.exit(0));
process.stdin.resume();
