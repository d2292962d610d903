import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type CliArgs, parseCliArgs, summary, USAGE, UsageError } from './cli-args.js';
import { runScenario } from './run-scenario.js';

async function main(): Promise<number> {
  let args: CliArgs;
  try {
    args = parseCliArgs(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`chaos: ${err.message}\n${USAGE}\n`);
    return 2;
  }
  const result = await runScenario(args);
  process.stdout.write(`${summary(result)}\n`);
  if (args.json !== undefined) {
    // `npm run chaos` runs in the workspace folder: resolve relative paths from where the user stood.
    const out = resolve(process.env.INIT_CWD ?? process.cwd(), args.json);
    await writeFile(out, `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(`  written to   ${out}\n`);
  }
  return 0;
}

process.exitCode = await main();
