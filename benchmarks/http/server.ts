// The benchmark's upstream: a plain node:http server in its own process, answering every request
// with a small 200. Prints its port on stdout as `PORT <n>`; exits when stdin closes.
import { createServer } from 'node:http';

const body = Buffer.from('{"ok":true}');
const server = createServer((req, res) => {
  // Drain any request body before answering so keep-alive stays usable.
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  process.stdout.write(`PORT ${address.port}\n`);
});
process.stdin.on('close', () => process.exit(0));
process.stdin.resume();
