// Running a service as its own process (shop-contract): IPC 'ready' once listening; graceful exit 0
// on SIGTERM, SIGINT or when the launcher's IPC channel goes away, so no instance outlives it.
import { pathToFileURL } from 'node:url';
import type { RunningService } from './running-service.js';

/** True when the module at `moduleUrl` is the process's entry point. */
export function isMainModule(moduleUrl: string): boolean {
  const entry = process.argv[1];
  return entry !== undefined && moduleUrl === pathToFileURL(entry).href;
}

export interface ReadyMessage {
  readonly type: 'ready';
  readonly service: string;
  readonly instance: string;
  readonly port: number;
  readonly adminPort: number;
}

/** Bound on close() before the process exits anyway (drain is ~2 s; deregistration adds a little). */
const HARD_EXIT_MS = 5_000;

export async function runServiceProcess(start: () => Promise<RunningService>): Promise<void> {
  // A launcher that died closes our pipes: never crash on EPIPE, the disconnect handler exits.
  process.stdout.on('error', () => {});
  process.stderr.on('error', () => {});
  let running: RunningService | undefined;
  let stopping = false;
  const stop = (reason: string): void => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(1), HARD_EXIT_MS).unref();
    const done = running === undefined ? Promise.resolve() : running.close();
    done.then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(
          `${JSON.stringify({ level: 'error', msg: 'close failed', reason, error: String(error) })}\n`,
        );
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  if (process.send !== undefined) process.once('disconnect', () => stop('disconnect'));
  try {
    running = await start();
  } catch (error) {
    process.stderr.write(
      `${JSON.stringify({ level: 'error', msg: 'start failed', error: error instanceof Error ? error.message : String(error) })}\n`,
    );
    process.exit(1);
  }
  // A signal during start already exits the process (nothing to drain yet).
  if (stopping) return;
  const ready: ReadyMessage = {
    type: 'ready',
    service: running.service,
    instance: running.instance,
    port: running.port,
    adminPort: running.adminPort,
  };
  if (process.send !== undefined && process.connected) {
    try {
      process.send(ready);
    } catch {
      stop('ipc');
    }
  }
}
