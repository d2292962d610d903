// A benchmark process driven over stdin/stdout, one line per message. Unlike lib/upstream.ts it takes
// arguments and extra node flags (for `--cpu-prof`), and it lets the parent read the child's lines.
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface, type Interface } from 'node:readline';

export class Child {
  readonly #child: ChildProcess;
  readonly #rl: Interface;
  readonly #lines: AsyncIterator<string>;
  #exited = false;

  constructor(script: string, args: readonly string[], nodeArgs: readonly string[] = []) {
    this.#child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', script, ...args], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    this.#child.once('exit', () => {
      this.#exited = true;
    });
    this.#rl = createInterface({ input: this.#child.stdout! });
    this.#lines = this.#rl[Symbol.asyncIterator]();
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  send(line: string): void {
    this.#child.stdin!.write(`${line}\n`);
  }

  /** The next stdout line; rejects if the child has exited. */
  async next(): Promise<string> {
    const r = await this.#lines.next();
    if (r.done) throw new Error(`${this.#child.spawnargs.join(' ')} exited`);
    return r.value;
  }

  /** Closes stdin (the child's cue to shut down) and waits for it to exit. */
  async close(): Promise<void> {
    if (!this.#exited) {
      const exited = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
      this.#child.stdin!.end();
      await exited;
    }
    this.#rl.close();
  }
}

/** A proxy (or server) process that prints `PORT <n>` and answers `cpu` with `CPU <µs>`. */
export class ServerProcess {
  readonly #child: Child;
  port = 0;

  private constructor(child: Child) {
    this.#child = child;
  }

  static async start(
    script: string,
    args: readonly string[],
    nodeArgs?: readonly string[],
  ): Promise<ServerProcess> {
    const s = new ServerProcess(new Child(script, args, nodeArgs));
    const m = /^PORT (\d+)$/.exec(await s.#child.next());
    if (m === null) throw new Error(`${script}: expected PORT <n>`);
    s.port = Number(m[1]);
    return s;
  }

  /** CPU time (user + system, µs) the process has used so far. */
  async cpuUs(): Promise<number> {
    this.#child.send('cpu');
    const m = /^CPU (\d+)$/.exec(await this.#child.next());
    if (m === null) throw new Error('expected CPU <µs>');
    return Number(m[1]);
  }

  close(): Promise<void> {
    return this.#child.close();
  }
}
