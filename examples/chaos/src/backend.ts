import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type HttpFaultSpec, type HttpFaultsListener, withHttpFaults } from '@breakwater/chaos';

export interface BackendOptions {
  readonly name: string;
  /** Faults in force from the start; change them later through `controller.set()`. */
  readonly faults?: HttpFaultSpec;
  /** Seed of the fault draws, so a run can be replayed. */
  readonly seed?: number;
}

export interface Backend {
  readonly name: string;
  readonly port: number;
  readonly controller: HttpFaultsListener;
  /** Requests that reached this instance so far (hedges and retries included). */
  readonly received: () => number;
  /** Stops listening and drops every open connection (a crashed instance); idempotent. */
  close(): Promise<void>;
}

const ITEMS = JSON.stringify([
  { id: 1, name: 'sunglasses' },
  { id: 2, name: 'tank top' },
  { id: 3, name: 'watch' },
]);

/** A catalog-like instance on 127.0.0.1:0 with run-time switchable faults. */
export async function startBackend(options: BackendOptions): Promise<Backend> {
  const { name } = options;
  const controller = withHttpFaults(
    (_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.setHeader('x-instance', name);
      res.end(ITEMS);
    },
    { faults: options.faults ?? {}, ...(options.seed === undefined ? {} : { seed: options.seed }) },
  );
  let received = 0;
  const server: Server = createServer((req, res) => {
    received++;
    controller(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    name,
    port,
    controller,
    received: () => received,
    close() {
      closing ??= new Promise<void>((resolve) => {
        controller.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
