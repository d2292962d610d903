// The live dashboard of @breakwater/client on its own node:http server on 127.0.0.1.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDashboard, type Dashboard, type DashboardOptions } from '@breakwater/client';

export interface DashboardServer {
  readonly dashboard: Dashboard;
  /** `http://127.0.0.1:<port>/` */
  readonly url: string;
  /** Ends the SSE streams, stops the dashboard and the server (no socket left). */
  close(): Promise<void>;
}

export async function serveDashboard(port = 0, options: DashboardOptions = {}): Promise<DashboardServer> {
  const dashboard = createDashboard(options);
  const server = createServer(dashboard.handler);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
  } catch (err) {
    await dashboard.close();
    throw err;
  }
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  let closing: Promise<void> | undefined;
  return {
    dashboard,
    url,
    close() {
      closing ??= (async () => {
        await dashboard.close();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      })();
      return closing;
    },
  };
}
