// `npm start`: the example shop with 3 instances per backend, a load generator, a chaos schedule and live
// progress. See examples/shop/README.md.
import { parseLauncherArgs, USAGE, UsageError } from './launcher/cli-args.js';
import { runLauncher } from './launcher/run-launcher.js';

async function main(): Promise<number> {
  let args: ReturnType<typeof parseLauncherArgs>;
  try {
    args = parseLauncherArgs(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`npm start: ${err.message}\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  return runLauncher(args, { stdout: process.stdout, stderr: process.stderr });
}

process.exitCode = await main();
