// Upstream servers for end-to-end benchmarks run in their own process: the script prints
// `PORT <n>` on stdout once listening and exits when its stdin closes.
import { type ChildProcess, spawn } from 'node:child_process';

export interface Upstream {
  port: number;
  close(): Promise<void>;
}

/** Starts `script` (a .ts file, run through tsx) and waits for the port it prints. */
export async function startUpstreamScript(script: string): Promise<Upstream> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', script], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.once('exit', (code) => reject(new Error(`upstream exited with ${code}`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /PORT (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
  });
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.stdin!.end();
      }),
  };
}
