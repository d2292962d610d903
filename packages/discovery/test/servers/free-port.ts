import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

function tcpPort(port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address() as { port: number };
      server.close(() => resolve(bound));
    });
  });
}

function udpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolve(false);
    });
    socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
  });
}

/**
 * A port free for TCP (and, with `udp`, UDP too) on 127.0.0.1 right now: bind port 0, release, and
 * check the UDP side. Another process may still take it before the server binds, so servers started
 * on it retry with a fresh port when binding fails.
 */
export async function freePort(options: { udp?: boolean } = {}): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = await tcpPort();
    if (!options.udp || (await udpFree(port))) return port;
  }
  throw new Error('no free port found on 127.0.0.1');
}
