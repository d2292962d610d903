import { type Logger, silentLogger } from './logger.js';

/** What the helper needs from `process`; injectable so tests send fake signals and observe exit. */
export interface ShutdownProcess {
  once(signal: NodeJS.Signals, listener: () => void): unknown;
  removeListener(signal: NodeJS.Signals, listener: () => void): unknown;
  exit(code: number): void;
}

export interface GracefulShutdownOptions {
  /** Deregistered first, so clients stop picking this instance before it stops serving. */
  registrations: readonly { close(): Promise<void> }[];
  /** Waits for in-flight work (e.g. `server.close()` plus idle connections); aborted at the deadline. */
  drain?: (signal: AbortSignal) => Promise<void>;
  /** Pause after deregistering so watchers see the change before draining starts. Default 0 ms. */
  propagationDelayMs?: number;
  /** Bound on the whole shutdown (deregister + delay + drain). Default 10,000 ms. */
  timeoutMs?: number;
  /** Default ['SIGTERM']. */
  signals?: readonly NodeJS.Signals[];
  /** Default `process`. */
  process?: ShutdownProcess;
  logger?: Logger;
}

export interface GracefulShutdown {
  /** Runs the shutdown now (as the signal would); resolves with the exit code passed to exit(). */
  shutdown(): Promise<number>;
  /** Removes the signal listeners without shutting down. */
  dispose(): void;
}

/**
 * Opt-in: on SIGTERM deregister every registration, optionally wait for propagation, drain in-flight
 * work (bounded), then exit — 0 when everything finished in time, 1 otherwise.
 */
export function installGracefulShutdown(options: GracefulShutdownOptions): GracefulShutdown {
  const timeoutMs = options.timeoutMs ?? 10_000;
  if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) {
    throw new RangeError(`timeoutMs must be a positive number, got ${timeoutMs}`);
  }
  const delayMs = options.propagationDelayMs ?? 0;
  if (!(Number.isFinite(delayMs) && delayMs >= 0)) {
    throw new RangeError(`propagationDelayMs must be a number >= 0, got ${delayMs}`);
  }
  const proc: ShutdownProcess = options.process ?? process;
  const logger = options.logger ?? silentLogger;
  const signals = options.signals ?? ['SIGTERM'];
  const registrations = [...options.registrations];
  let running: Promise<number> | undefined;

  const onSignal = () => {
    void shutdown();
  };
  for (const s of signals) proc.once(s, onSignal);

  const dispose = () => {
    for (const s of signals) proc.removeListener(s, onSignal);
  };

  async function steps(signal: AbortSignal): Promise<void> {
    const results = await Promise.allSettled(registrations.map((r) => r.close()));
    for (const r of results) {
      if (r.status === 'rejected') logger.warn('deregistration failed', { error: String(r.reason) });
    }
    if (delayMs > 0) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, delayMs);
        signal.addEventListener(
          'abort',
          () => {
            clearTimeout(t);
            resolve();
          },
          { once: true },
        );
      });
    }
    signal.throwIfAborted();
    await options.drain?.(signal);
  }

  function shutdown(): Promise<number> {
    running ??= (async () => {
      dispose();
      const controller = new AbortController();
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
      });
      let code = 0;
      try {
        const outcome = await Promise.race([steps(controller.signal).then(() => 'done' as const), deadline]);
        if (outcome === 'timeout') {
          logger.warn('graceful shutdown timed out', { timeoutMs });
          controller.abort(new Error('graceful shutdown timed out'));
          code = 1;
        }
      } catch (error) {
        logger.warn('graceful shutdown failed', { error: String(error) });
        code = 1;
      } finally {
        clearTimeout(timer);
      }
      proc.exit(code);
      return code;
    })();
    return running;
  }

  return { shutdown, dispose };
}
