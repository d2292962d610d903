// One replica of the tail benchmark's service, in its own process: an HTTP server and a grpc-js
// server answering after a fixed delay (setTimeout, so a slow replica costs no CPU). Prints
// `PORT <http> <grpc>` once both listen. Control lines on stdin: `delay <ms>` sets the delay;
// `count` prints `COUNT <n>` (requests received since the last `count`) and resets it. Exits when
// stdin closes.
import { createServer } from 'node:http';
import { createInterface } from 'node:readline';
import * as grpc from '@grpc/grpc-js';
import { echoService, REPLY } from '../grpc/service.js';

let delayMs = Number(process.argv[2] ?? 2);
let received = 0;

const body = Buffer.from('{"ok":true}');
const http = createServer((req, res) => {
  received++;
  req.resume();
  setTimeout(() => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  }, delayMs);
});
http.keepAliveTimeout = 60_000;

const rpc = new grpc.Server();
rpc.addService(echoService, {
  Ping: (_call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
    received++;
    setTimeout(() => cb(null, REPLY), delayMs);
  },
});

const httpPort = await new Promise<number>((resolve) =>
  http.listen(0, '127.0.0.1', () => {
    const a = http.address();
    resolve(typeof a === 'object' && a !== null ? a.port : 0);
  }),
);
const grpcPort = await new Promise<number>((resolve, reject) =>
  rpc.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) =>
    err === null ? resolve(port) : reject(err),
  ),
);
process.stdout.write(`PORT ${httpPort} ${grpcPort}\n`);

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const [cmd, arg] = line.trim().split(/\s+/);
  if (cmd === 'delay') delayMs = Number(arg);
  else if (cmd === 'count') {
    process.stdout.write(`COUNT ${received}\n`);
    received = 0;
  }
});
lines.on('close', () => process.exit(0));
