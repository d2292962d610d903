// Starts the tail benchmark's replicas, each in its own process (replica.ts), and drives them:
// set a replica's delay, read and reset every replica's request counter.
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface Replica {
  readonly httpPort: number;
  readonly grpcPort: number;
  setDelay(ms: number): void;
  /** Requests received since the last call (hedges and retries included). */
  takeCount(): Promise<number>;
  close(): Promise<void>;
}

const script = fileURLToPath(new URL('./replica.ts', import.meta.url));

async function startReplica(delayMs: number): Promise<Replica> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', script, String(delayMs)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines: Interface = createInterface({ input: child.stdout! });
  const waiting: ((line: string) => void)[] = [];
  lines.on('line', (line) => waiting.shift()?.(line));
  const next = (): Promise<string> => new Promise((resolve) => waiting.push(resolve));
  const first = await Promise.race([
    next(),
    new Promise<never>((_, reject) =>
      child.once('exit', (code) => reject(new Error(`replica exited with ${code}`))),
    ),
  ]);
  const m = /^PORT (\d+) (\d+)$/.exec(first);
  if (m === null) throw new Error(`unexpected replica output: ${first}`);
  return {
    httpPort: Number(m[1]),
    grpcPort: Number(m[2]),
    setDelay: (ms) => child.stdin!.write(`delay ${ms}\n`),
    async takeCount() {
      const reply = next();
      child.stdin!.write('count\n');
      const c = /^COUNT (\d+)$/.exec(await reply);
      if (c === null) throw new Error('unexpected replica count reply');
      return Number(c[1]);
    },
    close: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.stdin!.end();
      }),
  };
}

export function startReplicas(delays: readonly number[]): Promise<Replica[]> {
  return Promise.all(delays.map(startReplica));
}
