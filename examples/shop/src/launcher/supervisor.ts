// Starts the shop's processes, tracks them, restarts the ones that die unexpectedly (on the same port) and
// stops them all. No process groups: each child is a plain `spawn` with an IPC channel, and the contract
// says a child exits when that channel disconnects, so a crashed launcher leaves nothing behind either.
import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { ChildStartError } from './errors.js';
import { LogRing, lineSplitter } from './log-ring.js';

export interface ChildSpec {
  /** Instance id, also passed as `INSTANCE_ID`: `catalog-2`. */
  readonly id: string;
  readonly service: string;
  /** The entry file run with `node --import tsx --conditions=breakwater-source <entry>`. */
  readonly entry: string;
  /** Added to the supervisor's base environment (`PORT`, `HOST`, registry variables…). */
  readonly env: Readonly<Record<string, string>>;
}

export interface ChildInfo {
  readonly id: string;
  readonly service: string;
  readonly pid: number;
  readonly port: number;
  /** The HTTP port of `/admin/faults` and `/health` (the same as `port` except for pricing). */
  readonly adminPort: number;
}

export type SupervisorEvent =
  | { readonly type: 'ready'; readonly child: ChildInfo; readonly restarted: boolean }
  | {
      readonly type: 'exit';
      readonly id: string;
      readonly pid: number;
      readonly code: number | null;
      readonly signal: NodeJS.Signals | null;
      /** False when nobody asked for it: the supervisor will restart the child. */
      readonly expected: boolean;
      readonly lastLines: readonly string[];
    }
  | {
      readonly type: 'restart-failed';
      readonly id: string;
      readonly error: Error;
      readonly willRetry: boolean;
    }
  | {
      readonly type: 'log';
      readonly id: string;
      readonly stream: 'stdout' | 'stderr';
      readonly line: string;
    };

export interface SupervisorOptions {
  /** How long a child may take to send `{ type: 'ready' }`. Default 30 s (tsx compiles on start). */
  readonly readyTimeoutMs?: number;
  /** How long `stop()` waits after SIGTERM before SIGKILL. Default 5 s. */
  readonly stopTimeoutMs?: number;
  /** Delay before restarting a child that died unexpectedly. Default 500 ms. */
  readonly restartDelayMs?: number;
  /** Unexpected exits restarted per child before giving up. Default 5. */
  readonly maxRestarts?: number;
  /** Log lines kept per child. Default 50. */
  readonly logLines?: number;
  /** Node flags before the entry file. Default `--import tsx --conditions=breakwater-source`. */
  readonly execArgv?: readonly string[];
  /** Base environment of every child. Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly onEvent?: (event: SupervisorEvent) => void;
  /** Injected for tests (fake processes); default `child_process.spawn`. */
  readonly spawn?: SpawnFn;
}

export type SpawnFn = (command: string, args: readonly string[], options: SpawnOptions) => ChildProcess;

const DEFAULTS = {
  readyTimeoutMs: 30_000,
  stopTimeoutMs: 5_000,
  restartDelayMs: 500,
  maxRestarts: 5,
  logLines: 50,
  execArgv: ['--import', 'tsx', '--conditions=breakwater-source'] as readonly string[],
};

type SlotState = 'starting' | 'running' | 'down';

interface Slot {
  readonly spec: ChildSpec;
  readonly log: LogRing;
  state: SlotState;
  proc: ChildProcess | undefined;
  /** Resolves when the current process has exited and its pipes are closed. */
  exited: Promise<void>;
  port: number | undefined;
  adminPort: number | undefined;
  info: ChildInfo | undefined;
  /** Set by `kill()`: the coming exit is wanted and is not restarted. */
  expectExit: boolean;
  restarts: number;
  restartTimer: NodeJS.Timeout | undefined;
}

interface ReadyMessage {
  type: 'ready';
  port: number;
  adminPort?: number;
}

function isReady(m: unknown): m is ReadyMessage {
  const o = m as Partial<ReadyMessage> | null;
  return typeof o === 'object' && o !== null && o.type === 'ready' && Number.isInteger(o.port);
}

function positiveInt(name: string, v: number, min = 1): void {
  if (!Number.isInteger(v) || v < min) throw new RangeError(`${name} must be an integer ≥ ${min}, got ${v}`);
}

export class Supervisor {
  readonly #o: Required<Omit<SupervisorOptions, 'onEvent' | 'env' | 'spawn'>>;
  readonly #spawnFn: SpawnFn;
  readonly #env: Readonly<Record<string, string | undefined>>;
  readonly #onEvent: (event: SupervisorEvent) => void;
  readonly #slots = new Map<string, Slot>();
  readonly #pids: number[] = [];
  #stopping = false;

  constructor(options: SupervisorOptions = {}) {
    const o = { ...DEFAULTS, ...options };
    positiveInt('readyTimeoutMs', o.readyTimeoutMs);
    positiveInt('stopTimeoutMs', o.stopTimeoutMs);
    positiveInt('restartDelayMs', o.restartDelayMs, 0);
    positiveInt('maxRestarts', o.maxRestarts, 0);
    positiveInt('logLines', o.logLines);
    this.#o = {
      readyTimeoutMs: o.readyTimeoutMs,
      stopTimeoutMs: o.stopTimeoutMs,
      restartDelayMs: o.restartDelayMs,
      maxRestarts: o.maxRestarts,
      logLines: o.logLines,
      execArgv: Object.freeze([...o.execArgv]),
    };
    this.#env = options.env ?? process.env;
    this.#onEvent = options.onEvent ?? (() => {});
    this.#spawnFn = options.spawn ?? spawn;
  }

  /** Every pid this supervisor ever spawned, restarts included, in spawn order. */
  pids(): readonly number[] {
    return [...this.#pids];
  }

  /** The running children (ready and not killed). */
  children(): readonly ChildInfo[] {
    const out: ChildInfo[] = [];
    for (const s of this.#slots.values()) if (s.state === 'running' && s.info) out.push(s.info);
    return out;
  }

  get(id: string): ChildInfo | undefined {
    const s = this.#slots.get(id);
    return s?.state === 'running' ? s.info : undefined;
  }

  logs(id: string): readonly string[] {
    return this.#slots.get(id)?.log.lines() ?? [];
  }

  /** Spawns a child and resolves once it reports ready; on timeout or early exit, kills it and rejects. */
  async start(spec: ChildSpec): Promise<ChildInfo> {
    if (this.#stopping) throw new Error('the supervisor is stopping');
    if (this.#slots.has(spec.id)) throw new Error(`child ${spec.id} was already started`);
    const slot: Slot = {
      spec,
      log: new LogRing(this.#o.logLines),
      state: 'down',
      proc: undefined,
      exited: Promise.resolve(),
      port: undefined,
      adminPort: undefined,
      info: undefined,
      expectExit: false,
      restarts: 0,
      restartTimer: undefined,
    };
    this.#slots.set(spec.id, slot);
    return this.#spawn(slot, {}, false);
  }

  /** Sends `signal` (default SIGKILL) and waits for the exit; the child stays down until `restart()`. */
  async kill(id: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const slot = this.#slot(id);
    clearTimeout(slot.restartTimer);
    slot.restartTimer = undefined;
    slot.expectExit = true;
    slot.proc?.kill(signal);
    await slot.exited;
  }

  /** Starts a child that is down again, on the port (and admin port) it had. */
  async restart(id: string): Promise<ChildInfo> {
    const slot = this.#slot(id);
    if (this.#stopping) throw new Error('the supervisor is stopping');
    if (slot.state !== 'down') throw new Error(`child ${id} is ${slot.state}, not down`);
    clearTimeout(slot.restartTimer);
    slot.restartTimer = undefined;
    return this.#spawn(slot, this.#samePorts(slot), true);
  }

  /** SIGTERM to every child, SIGKILL to those still there after `stopTimeoutMs`; resolves when all are gone. */
  async stop(): Promise<void> {
    this.#stopping = true;
    const live: Slot[] = [];
    for (const s of this.#slots.values()) {
      clearTimeout(s.restartTimer);
      s.restartTimer = undefined;
      if (s.proc !== undefined) {
        s.expectExit = true;
        s.proc.kill('SIGTERM');
        live.push(s);
      }
    }
    const all = Promise.all(live.map((s) => s.exited));
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), this.#o.stopTimeoutMs);
    });
    const outcome = await Promise.race([all, late]);
    clearTimeout(timer);
    if (outcome === 'late') {
      this.killAllNow();
      await all;
    }
  }

  /** SIGKILL to every live child, synchronously: for a second Ctrl-C and the process 'exit' hook. */
  killAllNow(): void {
    this.#stopping = true;
    for (const s of this.#slots.values()) {
      clearTimeout(s.restartTimer);
      s.restartTimer = undefined;
      if (s.proc !== undefined) {
        s.expectExit = true;
        s.proc.kill('SIGKILL');
      }
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  #slot(id: string): Slot {
    const slot = this.#slots.get(id);
    if (slot === undefined) throw new Error(`unknown child ${id}`);
    return slot;
  }

  #samePorts(slot: Slot): Record<string, string> {
    const env: Record<string, string> = {};
    if (slot.port !== undefined) env.PORT = String(slot.port);
    if (slot.adminPort !== undefined && slot.adminPort !== slot.port) env.ADMIN_PORT = String(slot.adminPort);
    return env;
  }

  #spawn(slot: Slot, extraEnv: Record<string, string>, restarted: boolean): Promise<ChildInfo> {
    const { spec } = slot;
    const env = { ...this.#env, INSTANCE_ID: spec.id, ...spec.env, ...extraEnv };
    const proc = this.#spawnFn(process.execPath, [...this.#o.execArgv, spec.entry], {
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env,
    });
    slot.proc = proc;
    slot.state = 'starting';
    slot.expectExit = false;
    slot.info = undefined;
    if (proc.pid !== undefined) this.#pids.push(proc.pid);
    const pid = proc.pid ?? -1;

    for (const stream of ['stdout', 'stderr'] as const) {
      const split = lineSplitter((line) => {
        slot.log.push(line);
        this.#onEvent({ type: 'log', id: spec.id, stream, line });
      });
      const s = proc[stream];
      s?.setEncoding('utf8');
      s?.on('data', (chunk: string) => split.write(chunk));
      s?.on('end', () => split.end());
    }

    let settle: { resolve(i: ChildInfo): void; reject(e: Error): void } | undefined;
    const ready = new Promise<ChildInfo>((resolve, reject) => {
      settle = { resolve, reject };
    });
    const timer = setTimeout(() => {
      const s = settle;
      settle = undefined;
      proc.kill('SIGKILL');
      s?.reject(
        new ChildStartError(
          `${spec.id} did not report ready within ${this.#o.readyTimeoutMs} ms`,
          spec.id,
          slot.log.lines(),
        ),
      );
    }, this.#o.readyTimeoutMs);

    let wasReady = false;
    proc.on('message', (m: unknown) => {
      if (!isReady(m) || settle === undefined) return;
      clearTimeout(timer);
      wasReady = true;
      slot.port = m.port;
      slot.adminPort = Number.isInteger(m.adminPort) ? (m.adminPort as number) : m.port;
      slot.state = 'running';
      slot.info = Object.freeze({
        id: spec.id,
        service: spec.service,
        pid,
        port: slot.port,
        adminPort: slot.adminPort,
      });
      const s = settle;
      settle = undefined;
      this.#onEvent({ type: 'ready', child: slot.info, restarted });
      s.resolve(slot.info);
    });

    let resolveExited: () => void = () => {};
    slot.exited = new Promise<void>((r) => {
      resolveExited = r;
    });
    // Spawn failures (e.g. ENOENT) come as 'error' without 'close' when no process ran.
    proc.on('error', (err) => {
      if (proc.pid === undefined) onGone(null, null, err);
    });
    proc.on('close', (code: number | null, signal: NodeJS.Signals | null) => onGone(code, signal));

    let gone = false;
    const onGone = (code: number | null, signal: NodeJS.Signals | null, err?: Error): void => {
      if (gone) return;
      gone = true;
      clearTimeout(timer);
      if (slot.proc === proc) {
        slot.proc = undefined;
        slot.state = 'down';
        slot.info = undefined;
      }
      const expected = slot.expectExit || this.#stopping;
      const lastLines = slot.log.lines();
      if (settle !== undefined) {
        const s = settle;
        settle = undefined;
        const how = err ? `could not start: ${err.message}` : `exited (code ${code}, signal ${signal})`;
        s.reject(
          new ChildStartError(`${spec.id} ${how} before reporting ready`, spec.id, lastLines, { cause: err }),
        );
      }
      this.#onEvent({ type: 'exit', id: spec.id, pid, code, signal, expected, lastLines });
      resolveExited();
      // Restart only children that had been running: a failed start is the caller's to report.
      // Only a child that had been ready is restarted: a failed start is reported to whoever started it.
      if (!expected && wasReady) this.#scheduleRestart(slot);
    };
    return ready;
  }

  #scheduleRestart(slot: Slot): void {
    if (this.#stopping || slot.restarts >= this.#o.maxRestarts) return;
    slot.restarts++;
    slot.restartTimer = setTimeout(() => {
      slot.restartTimer = undefined;
      if (this.#stopping || slot.state !== 'down' || slot.expectExit) return;
      this.#spawn(slot, this.#samePorts(slot), true).catch((error: Error) => {
        const willRetry = !this.#stopping && slot.restarts < this.#o.maxRestarts;
        this.#onEvent({ type: 'restart-failed', id: slot.spec.id, error, willRetry });
        if (willRetry) this.#scheduleRestart(slot);
      });
    }, this.#o.restartDelayMs);
  }
}
