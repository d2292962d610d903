import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { LoadResult } from './load.js';

/** A contender running in its own process (benchmarks/http/client-worker.ts). */
export class WorkerContender {
  readonly key: string;
  name = '';
  readonly #child: ChildProcess;
  readonly #lines: AsyncIterator<string>;
  readonly #rl: Interface;

  private constructor(key: string, child: ChildProcess) {
    this.key = key;
    this.#child = child;
    this.#rl = createInterface({ input: child.stdout! });
    this.#lines = this.#rl[Symbol.asyncIterator]();
  }

  static async start(key: string, port: number): Promise<WorkerContender> {
    const script = fileURLToPath(new URL('./client-worker.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script, key, String(port)], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const w = new WorkerContender(key, child);
    w.name = ((await w.#next()) as { ready: string }).ready;
    return w;
  }

  async #next(): Promise<unknown> {
    const r = await this.#lines.next();
    if (r.done) throw new Error(`contender ${this.key} exited`);
    return JSON.parse(r.value);
  }

  async run(concurrency: number, ms: number): Promise<LoadResult> {
    this.#child.stdin!.write(`${JSON.stringify({ concurrency, ms })}\n`);
    return (await this.#next()) as LoadResult;
  }

  async close(): Promise<void> {
    const exited = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
    this.#child.stdin!.end(`${JSON.stringify({ close: true })}\n`);
    await exited;
    this.#rl.close();
  }
}
