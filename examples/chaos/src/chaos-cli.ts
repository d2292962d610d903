import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type CliArgs, parseCliArgs, summary, USAGE, UsageError } from './cli-args.js';
import { type DashboardServer, serveDashboard } from './dashboard-server.js';
import { runScenario } from './run-scenario.js';

/** Resolves after `ms` or on Ctrl-C, whichever comes first. */
function linger(ms: number): Promise<void> {
  return new Promise((done) => {
    const finish = (): void => {
      clearTimeout(timer);
      process.off('SIGINT', finish);
      done();
    };
    const timer = setTimeout(finish, ms);
    process.once('SIGINT', finish);
  });
}

async function main(): Promise<number> {
  let args: CliArgs;
  try {
    args = parseCliArgs(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`chaos: ${err.message}\n${USAGE}\n`);
    return 2;
  }
  let dash: DashboardServer | undefined;
  if (args.dashboard !== undefined) {
    dash = await serveDashboard(args.dashboard, { title: `chaos: ${args.scenario}`, intervalMs: 500 });
    process.stdout.write(`Dashboard: ${dash.url}\n`);
  }
  try {
    const result = await runScenario({ ...args, dashboard: dash?.dashboard });
    process.stdout.write(`${summary(result)}\n`);
    if (args.json !== undefined) {
      // `npm run chaos` runs in the workspace folder: resolve relative paths from where the user stood.
      const out = resolve(process.env.INIT_CWD ?? process.cwd(), args.json);
      await writeFile(out, `${JSON.stringify(result, null, 2)}\n`);
      process.stdout.write(`  written to   ${out}\n`);
    }
    if (dash !== undefined && args.lingerMs > 0) {
      process.stdout.write(
        `Dashboard: ${dash.url} stays up for ${args.lingerMs / 1000} s — press Ctrl-C to stop\n`,
      );
      await linger(args.lingerMs);
    }
  } finally {
    await dash?.close();
  }
  return 0;
}

process.exitCode = await main();
