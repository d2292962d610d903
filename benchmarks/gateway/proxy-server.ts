// One proxy contender in its own process, so its CPU is not shared with the load generator's event
// loop: `proxy-server.ts <gateway|undici|node|…> <upstream port>`. Prints `PORT <n>` once listening;
// answers each `cpu` line on stdin with `CPU <µs>` (user + system of this process so far); closes
// everything and exits when stdin closes.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { StaticRegistry } from '@breakwater/discovery';
import { createGateway } from '@breakwater/example-gateway';
import { nodeProxy, undiciPipelineProxy, undiciProxy } from './anchors.js';

const [kind, portText] = process.argv.slice(2);
const upstreamPort = Number(portText);

let port: number;
let close: () => Promise<void>;
if (kind === 'gateway' || kind === 'gateway-untraced') {
  // The gateway with its defaults: tracing on, 15 s timeout, client defaults; no metrics, silent logger.
  // `gateway-untraced` (diagnostic) turns the client's tracing off, which also drops the server span.
  const registry = new StaticRegistry({ echo: [`127.0.0.1:${upstreamPort}`] });
  const gateway = createGateway(kind === 'gateway' ? { registry } : { registry, client: { tracing: false } });
  port = (await gateway.listen(0, '127.0.0.1')).port;
  close = async () => {
    await gateway.close(1_000);
    await registry.close();
  };
} else if (kind === 'undici' || kind === 'undici-pipeline' || kind === 'node') {
  const proxy =
    kind === 'undici'
      ? undiciProxy(upstreamPort)
      : kind === 'node'
        ? nodeProxy(upstreamPort)
        : undiciPipelineProxy(upstreamPort);
  const server: Server = createServer(proxy.handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  close = async () => {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    await proxy.close();
  };
} else {
  throw new Error(`unknown proxy kind ${kind}`);
}

process.stdout.write(`PORT ${port}\n`);
for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() === 'cpu') {
    const u = process.cpuUsage();
    process.stdout.write(`CPU ${u.user + u.system}\n`);
  }
}
await close();
process.exit(0);
