// One contender in its own process, so contenders do not share JIT state, inline caches or garbage
// (as in production, where a service runs one client library). Reads commands on stdin, one JSON
// per line: {"concurrency":16,"ms":1000} runs a load round and answers a LoadResult as one JSON line;
// {"close":true} closes the contender and exits.
import { createInterface } from 'node:readline';
import { breakwaterUndici } from './breakwater.js';
import { type Contender, cockatielUndici, opossumUndici, rawUndici, rawUndiciTraced } from './contenders.js';
import { runLoad } from './load.js';

const [which, portText] = process.argv.slice(2);
const port = Number(portText);
const origin = `http://127.0.0.1:${port}`;
const makers: Record<string, () => Contender | Promise<Contender>> = {
  raw: () => rawUndici(origin),
  breakwater: () => breakwaterUndici(port),
  'raw-traced': () => rawUndiciTraced(origin),
  opossum: () => opossumUndici(origin),
  cockatiel: () => cockatielUndici(origin),
};
const make = makers[which ?? ''];
if (make === undefined) throw new Error(`unknown contender ${which}`);
const contender = await make();
process.stdout.write(`${JSON.stringify({ ready: contender.name })}\n`);

for await (const line of createInterface({ input: process.stdin })) {
  const cmd = JSON.parse(line) as { concurrency?: number; ms?: number; close?: boolean };
  if (cmd.close) break;
  const result = await runLoad(contender.fn, cmd.concurrency!, cmd.ms!);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
await contender.close();
process.exit(0);
