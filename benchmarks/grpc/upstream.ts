import { fileURLToPath } from 'node:url';
import { startUpstreamScript, type Upstream } from '../lib/upstream.js';

export type GrpcUpstream = Upstream;

/** Starts benchmarks/grpc/server.ts in a separate process and waits for its port. */
export function startGrpcUpstream(): Promise<GrpcUpstream> {
  return startUpstreamScript(fileURLToPath(new URL('./server.ts', import.meta.url)));
}
