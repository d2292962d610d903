// The load generator, in a process of its own: one undici Pool per target port, closed-loop rounds
// (benchmarks/http/load.ts). Reads one JSON command per line on stdin,
// {"port":1234,"path":"/echo/items?id=42","concurrency":16,"ms":1000}, and answers a LoadResult as
// one JSON line. A status other than 200 counts as an error. Exits when stdin closes.
import { createInterface } from 'node:readline';
import { Pool } from 'undici';
import { runLoad } from '../http/load.js';

const pools = new Map<number, Pool>();
const poolFor = (port: number): Pool => {
  let pool = pools.get(port);
  if (pool === undefined) {
    pool = new Pool(`http://127.0.0.1:${port}`);
    pools.set(port, pool);
  }
  return pool;
};

process.stdout.write('READY\n');
for await (const line of createInterface({ input: process.stdin })) {
  const cmd = JSON.parse(line) as { port: number; path: string; concurrency: number; ms: number };
  const pool = poolFor(cmd.port);
  const options = { path: cmd.path, method: 'GET' as const };
  const result = await runLoad(
    async () => {
      const res = await pool.request(options);
      await res.body.text();
      if (res.statusCode !== 200) throw new Error(`status ${res.statusCode}`);
    },
    cmd.concurrency,
    cmd.ms,
  );
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
await Promise.all([...pools.values()].map((p) => p.close()));
process.exit(0);
