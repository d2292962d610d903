// Start order: the backends in parallel, each reporting ready over IPC; then the frontend, told where they are.
import type { LauncherArgs } from './cli-args.js';
import { ChildStartError } from './errors.js';
import type { Interrupts } from './interrupts.js';
import { portIsFree } from './port-probe.js';
import { BACKENDS, backendIds, frontendRegistryEnv, type ShopEntries } from './shop-layout.js';
import type { ChildInfo, ChildSpec, Supervisor } from './supervisor.js';

export type StartResult =
  | { readonly ok: true; readonly specs: readonly ChildSpec[]; readonly frontend: ChildInfo }
  /** `code` 0 when interrupted, 1 when a process failed to start (already reported on `stderr`). */
  | { readonly ok: false; readonly code: number };

export interface StartShopOptions {
  readonly args: LauncherArgs;
  readonly supervisor: Supervisor;
  readonly interrupts: Interrupts;
  readonly entries: ShopEntries;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly say: (text: string) => void;
  readonly stderr: { write(text: string): unknown };
}

const LAST_LINES = 15;

export function indentLines(lines: readonly string[], n = LAST_LINES): string {
  return lines
    .slice(-n)
    .map((l) => `    | ${l}`)
    .join('\n');
}

export async function startShop(o: StartShopOptions): Promise<StartResult> {
  const { args, supervisor, interrupts, say } = o;
  const reportFailure = (err: unknown): void => {
    if (err instanceof ChildStartError) {
      o.stderr.write(
        `error: ${err.message}; its last log lines:\n${indentLines(err.lastLines) || '    (none)'}\n`,
      );
    } else {
      o.stderr.write(`error: ${(err as Error).message}\n`);
    }
  };
  const interrupted = (): StartResult => {
    say('interrupted while starting');
    return { ok: false, code: 0 };
  };

  say(
    `Breakwater shop: starting ${args.instances} × ${BACKENDS.join(', ')} and the frontend ` +
      '(from source through tsx: nothing to build)',
  );
  const specs: ChildSpec[] = backendIds(args.instances).map((id) => {
    const service = id.replace(/-\d+$/, '') as keyof ShopEntries;
    return { id, service, entry: o.entries[service], env: { HOST: '127.0.0.1', PORT: '0', ADMIN_PORT: '0' } };
  });
  const backendStart = Promise.allSettled(specs.map((s) => supervisor.start(s)));
  const first = await Promise.race([backendStart, interrupts.signalled]);
  if (first === 'interrupt') {
    await backendStart; // the interrupt stops the supervisor, so every pending start settles
    return interrupted();
  }
  const failures = first.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failures.length > 0) {
    for (const f of failures) reportFailure(f.reason);
    return { ok: false, code: 1 };
  }
  const backends = first.map((r) => (r as PromiseFulfilledResult<ChildInfo>).value);

  let port = args.port;
  if (port !== 0 && !(await portIsFree(port))) {
    say(`port ${port} is busy; the frontend takes a free port instead`);
    port = 0;
  }
  try {
    const frontendStart = supervisor.start({
      id: 'frontend',
      service: 'frontend',
      entry: o.entries.frontend,
      env: { HOST: '127.0.0.1', PORT: String(port), ...frontendRegistryEnv(backends, o.env) },
    });
    const r = await Promise.race([frontendStart, interrupts.signalled]);
    if (r === 'interrupt') {
      await frontendStart.catch(() => {});
      return interrupted();
    }
    return { ok: true, specs, frontend: r };
  } catch (err) {
    if (interrupts.interrupted) return interrupted();
    reportFailure(err);
    return { ok: false, code: 1 };
  }
}
