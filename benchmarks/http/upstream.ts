import { fileURLToPath } from 'node:url';
import { startUpstreamScript, type Upstream } from '../lib/upstream.js';

export type { Upstream };

/** Starts benchmarks/http/server.ts in a separate process and waits for its port. */
export function startUpstream(): Promise<Upstream> {
  return startUpstreamScript(fileURLToPath(new URL('./server.ts', import.meta.url)));
}
