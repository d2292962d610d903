// Prints the functions with the most self time in a V8 .cpuprofile (from `node --cpu-prof`),
// grouped by function and file, and the share of samples spent in each package.
import { readFileSync } from 'node:fs';

const file = process.argv[2];
const top = Number(process.argv[3] ?? 30);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map();
for (const id of profile.samples) self.set(id, (self.get(id) ?? 0) + 1);
const total = profile.samples.length;
const perFn = new Map();
const perPkg = new Map();
for (const [id, count] of self) {
  const { functionName, url, lineNumber } = byId.get(id).callFrame;
  const short = url
    .replace(/^.*\/node_modules\//, '')
    .replace(/^.*\/packages\//, 'packages/')
    .replace(/^file:\/\//, '');
  const key = `${functionName || '(anonymous)'} ${short}:${lineNumber + 1}`;
  perFn.set(key, (perFn.get(key) ?? 0) + count);
  const pkg =
    /packages\/([^/]+)/.exec(url)?.[1] ??
    /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url)?.[1] ??
    (url.startsWith('node:') ? 'node core' : url === '' ? functionName || '(vm)' : 'other');
  perPkg.set(pkg, (perPkg.get(pkg) ?? 0) + count);
}
const pct = (n) => `${((n / total) * 100).toFixed(1)}%`;
console.log(`${total} samples\n\nby package:`);
for (const [k, v] of [...perPkg].sort((a, b) => b[1] - a[1]).slice(0, 15))
  console.log(`  ${pct(v).padStart(6)}  ${k}`);
console.log('\nby function (self time):');
for (const [k, v] of [...perFn].sort((a, b) => b[1] - a[1]).slice(0, top))
  console.log(`  ${pct(v).padStart(6)}  ${k}`);
