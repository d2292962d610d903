import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, totalmem } from 'node:os';

const require = createRequire(import.meta.url);

/** Installed version of a dependency, or 'n/a'. */
export function versionOf(pkg: string): string {
  try {
    const path = require.resolve(`${pkg}/package.json`);
    return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
  } catch {
    return 'n/a';
  }
}

/** One markdown line describing the machine and runtime, for every results file. */
export function machineInfo(): string {
  const cpu = cpus();
  return `Machine: ${cpu[0]?.model ?? 'unknown CPU'} × ${cpu.length}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}/${process.arch}; measured ${new Date().toISOString().slice(0, 10)}.`;
}
