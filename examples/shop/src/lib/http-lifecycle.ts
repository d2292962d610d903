// Listening and graceful draining of a node:http server.
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export async function listen(server: Server, host: string, port: number): Promise<number> {
  server.listen(port, host);
  await Promise.race([
    once(server, 'listening'),
    once(server, 'error').then(([e]) => Promise.reject(e as Error)),
  ]);
  return (server.address() as AddressInfo).port;
}

/**
 * Stops accepting, closes idle keep-alive connections, waits for requests in flight for at most
 * `timeoutMs`, then drops whatever is left.
 */
export async function drain(server: Server, timeoutMs: number): Promise<void> {
  if (!server.listening) return;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
  });
  // Connections that go idle while draining are closed too (keep-alive clients would hold them).
  const sweep = setInterval(() => server.closeIdleConnections(), 50);
  try {
    await Promise.race([closed, timeout]);
  } finally {
    clearTimeout(timer);
    clearInterval(sweep);
  }
  server.closeAllConnections();
  await closed;
}
