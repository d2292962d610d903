import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1:0 to a target port, which a test can cut (every connection destroyed,
 * new ones refused) and restore: a network partition between one client and a server.
 */
export class TcpProxy {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  #open = true;

  private constructor(server: Server) {
    this.#server = server;
  }

  static start(targetPort: number): Promise<TcpProxy> {
    // Assigned right below, before the server listens.
    let proxy = undefined as unknown as TcpProxy;
    const server = createServer((socket) => {
      if (!proxy.#open) {
        socket.destroy();
        return;
      }
      const upstream = connect(targetPort, '127.0.0.1');
      for (const s of [socket, upstream]) {
        proxy.#sockets.add(s);
        s.on('close', () => proxy.#sockets.delete(s));
        s.on('error', () => {
          socket.destroy();
          upstream.destroy();
        });
      }
      socket.pipe(upstream).pipe(socket);
    });
    proxy = new TcpProxy(server);
    return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(proxy)));
  }

  get port(): number {
    return (this.#server.address() as { port: number }).port;
  }

  cut(): void {
    this.#open = false;
    for (const s of this.#sockets) s.destroy();
  }

  restore(): void {
    this.#open = true;
  }

  close(): Promise<void> {
    this.cut();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}
