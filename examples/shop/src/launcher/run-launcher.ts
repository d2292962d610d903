// The launcher's run: start the backends, then the frontend, then load + chaos with live progress, then the
// summary; stop everything on Ctrl-C/SIGTERM (a second one kills at once) or, with --exit, after the summary.

import { COLOR, PLAIN, type Style } from './ansi.js';
import { ChaosRunner } from './chaos-runner.js';
import { chaosSchedule } from './chaos-schedule.js';
import type { LauncherArgs } from './cli-args.js';
import { type Clock, performanceClock } from './clock.js';
import { DashboardPoller } from './dashboard-poller.js';
import type { DashboardEventView, SnapshotView } from './dashboard-snapshot.js';
import { Interrupts, type SignalSource } from './interrupts.js';
import { LoadGenerator } from './load-generator.js';
import { type LogEntry, type Output, ProgressDisplay, seconds } from './progress.js';
import { seededRandom } from './random.js';
import { type InstanceStatus, instanceForAddress, serviceRows } from './service-rows.js';
import { BACKENDS, DEFAULT_ENTRIES, type ShopEntries } from './shop-layout.js';
import { indentLines, startShop } from './start-shop.js';
import { chaosOutcomes, renderSummary } from './summary.js';
import { Supervisor, type SupervisorEvent } from './supervisor.js';
import { EventWindows } from './timeline.js';

export interface LauncherIo {
  readonly stdout: Output;
  readonly stderr: Output;
  readonly signals?: SignalSource;
  /** Called on a second Ctrl-C after every child got SIGKILL. Default: `process.exit(130)`. */
  readonly hardExit?: (code: number) => void;
  readonly entries?: ShopEntries;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly clock?: Clock;
  /** Epoch ms, to place the dashboard's event timestamps on the run's timeline. Default `Date.now`. */
  readonly wallClock?: Clock;
  readonly readyTimeoutMs?: number;
  /** Progress refresh. Default 1000 ms. */
  readonly tickMs?: number;
}

export async function runLauncher(args: LauncherArgs, io: LauncherIo): Promise<number> {
  const clock = io.clock ?? performanceClock;
  const wallClock = io.wallClock ?? { now: () => Date.now() };
  const env = io.env ?? process.env;
  const signals = io.signals ?? process;
  const entries = io.entries ?? DEFAULT_ENTRIES;
  const tickMs = io.tickMs ?? 1000;
  const style: Style = io.stdout.isTTY === true && env.NO_COLOR === undefined ? COLOR : PLAIN;
  const display = new ProgressDisplay(io.stdout, style);
  const say = (text: string): void => display.note(text);
  const log: LogEntry[] = [];
  const notices: string[] = [];
  let loadStartedAt: number | undefined;
  const sinceLoad = (): number => (loadStartedAt === undefined ? 0 : clock.now() - loadStartedAt);
  /** A line for the panel's log and the summary; `detail` (log lines) is printed now, not kept. */
  const notice = (text: string, detail?: string): void => {
    notices.push(text);
    log.push({ atMs: sinceLoad(), kind: 'notice', text });
    say(`${style.yellow('notice')} ${text}${detail === undefined ? '' : `\n${style.dim(detail)}`}`);
  };

  // Restarts the chaos schedule asked for, so they are not also reported as recoveries.
  const chaosRestarts = new Set<string>();
  // Ports are remembered across restarts, so the panel can match dashboard endpoints to instances.
  const ports = new Map<string, number>();
  const pidsById = new Map<string, number[]>();
  const onEvent = (e: SupervisorEvent): void => {
    if (e.type === 'ready') {
      ports.set(e.child.id, e.child.port);
      pidsById.set(e.child.id, [...(pidsById.get(e.child.id) ?? []), e.child.pid]);
      if (args.verbose)
        say(style.dim(`[launcher] ${e.child.id} ready, pid ${e.child.pid}, port ${e.child.port}`));
      if (e.restarted && !chaosRestarts.has(e.child.id)) {
        notice(`${e.child.id} is back on port ${e.child.port} (pid ${e.child.pid})`);
      }
    } else if (e.type === 'exit') {
      if (!e.expected) {
        notice(
          `${e.id} (pid ${e.pid}) exited unexpectedly (code ${e.code}, signal ${e.signal}); restarting it on the same port`,
          indentLines(e.lastLines, 10),
        );
      }
    } else if (e.type === 'restart-failed') {
      notice(
        `${e.id} could not be restarted: ${e.error.message}${e.willRetry ? '; trying again' : '; giving up'}`,
      );
    } else if (args.verbose) {
      say(`${style.dim(`[${e.id}]`)} ${e.line}`);
    }
  };
  const supervisor = new Supervisor({
    onEvent,
    env,
    ...(io.readyTimeoutMs === undefined ? {} : { readyTimeoutMs: io.readyTimeoutMs }),
  });

  let load: LoadGenerator | undefined;
  let stopping: Promise<void> | undefined;
  const stopChildren = (): Promise<void> => {
    stopping ??= supervisor.stop();
    return stopping;
  };
  const interrupts = new Interrupts(signals, {
    first: () => {
      // At once: no new requests, and children that exit now (Ctrl-C reaches them too) are not restarted.
      load?.pause();
      void stopChildren();
    },
    second: () => {
      supervisor.killAllNow();
      io.stderr.write('\nkilled every process at once\n');
      (io.hardExit ?? ((code: number) => process.exit(code)))(130);
    },
  });
  // Belt and braces: should the launcher die of an exception, no child survives it (they also watch IPC).
  const onExit = (): void => supervisor.killAllNow();
  process.on('exit', onExit);

  let poller: DashboardPoller | undefined;
  let chaos: ChaosRunner | undefined;
  let ticker: NodeJS.Timeout | undefined;

  const shutdown = async (code: number): Promise<number> => {
    clearInterval(ticker);
    await chaos?.cancel();
    await load?.close();
    await poller?.close();
    if (supervisor.pids().length > 0) say('stopping the shop…');
    await stopChildren();
    const pids = supervisor.pids();
    if (pids.length > 0) say(`stopped ${pids.length} processes (pids ${pids.join(', ')})`);
    interrupts.dispose();
    process.off('exit', onExit);
    return code;
  };

  // 1–2. The backends, then the frontend (start-shop.ts).
  const shop = await startShop({ args, supervisor, interrupts, entries, env, say, stderr: io.stderr });
  if (!shop.ok) return shutdown(shop.code);
  const { specs, frontend } = shop;
  const origin = `http://127.0.0.1:${frontend.port}`;
  const shopUrl = `${origin}/`;
  const dashboardUrl = `${origin}/dashboard/`;
  say(`Shop:      ${shopUrl}`);
  say(`Dashboard: ${dashboardUrl}`);

  // 3. Load, dashboard polling, chaos, progress.
  const random = seededRandom(args.seed);
  const events = args.chaos
    ? chaosSchedule({ durationMs: args.durationMs, instances: args.instances, seed: args.seed })
    : [];
  const windows = new EventWindows(
    events.map((e) => e.atMs),
    args.durationMs,
  );
  let t0 = 0;
  load = new LoadGenerator({
    origin,
    rate: args.rate,
    random,
    clock,
    onResult: (dueAt, ms, ok) => windows.record(dueAt - t0, ms, ok),
  });
  poller = new DashboardPoller({ origin });
  say(
    `load: ${args.rate} req/s for ${seconds(args.durationMs)}` +
      (events.length > 0 ? `; chaos at ${events.map((e) => seconds(e.atMs)).join(', ')}` : '; no chaos'),
  );
  chaos = new ChaosRunner(
    events,
    {
      adminPort: (id) => supervisor.get(id)?.adminPort,
      kill: (id) => supervisor.kill(id),
      restart: async (id) => {
        chaosRestarts.add(id);
        try {
          await supervisor.restart(id);
        } finally {
          chaosRestarts.delete(id);
        }
      },
    },
    {
      clock,
      onStarted: (event, atMs) => {
        log.push({ atMs, kind: 'chaos', text: event.label });
        if (!display.tty) say(`[${seconds(atMs).padStart(7)}] chaos: ${event.label}`);
      },
      onApplied: (a) => {
        // Only what is worth a second line: a failure, or an action that took a while (a restart).
        const took = a.atMs - a.startedAtMs;
        if (a.result !== 'done') notice(`chaos: ${a.event.label} ${a.result}`);
        else if (took >= 250) {
          const text = `${a.event.label}: done after ${seconds(took)}`;
          log.push({ atMs: a.atMs, kind: 'chaos', text });
          if (!display.tty) say(`[${seconds(a.atMs).padStart(7)}] chaos: ${text}`);
        }
      },
    },
  );
  const instances = (): InstanceStatus[] =>
    specs.map((s) => ({
      id: s.id,
      service: s.service,
      port: ports.get(s.id),
      up: supervisor.get(s.id) !== undefined,
    }));
  const retriesPerSecond = (snap: SnapshotView | undefined): number | undefined =>
    snap === undefined
      ? undefined
      : snap.services.reduce((n, s) => n + s.retries, 0) / (snap.intervalMs / 1000);

  await load.warmUp();
  if (interrupts.interrupted) return shutdown(0);
  t0 = clock.now();
  const wallT0 = wallClock.now();
  loadStartedAt = t0;
  let lastTick = t0;
  load.start();
  poller.start();
  chaos.start(t0);
  const tick = (): void => {
    if (load === undefined || poller === undefined) return;
    const now = clock.now();
    const w = load.takeWindow();
    const elapsedMs = now - t0;
    display.update({
      elapsedMs,
      durationMs: args.durationMs,
      targetRate: load.rate,
      window: { ...w, seconds: (now - lastTick) / 1000 },
      retriesPerSecond: retriesPerSecond(poller.latest),
      rows: serviceRows(BACKENDS, instances(), poller.latest),
      log,
    });
    lastTick = now;
  };
  ticker = setInterval(tick, tickMs);
  let durationTimer: NodeJS.Timeout | undefined;
  const finished = new Promise<'done'>((resolve) => {
    durationTimer = setTimeout(() => resolve('done'), args.durationMs);
  });
  const how = await Promise.race([finished, interrupts.signalled]);
  clearTimeout(durationTimer);
  clearInterval(ticker);
  load.pause();
  if (how === 'done') tick(); // the last partial second
  display.finish();
  const endMs = clock.now() - t0;
  await chaos.cancel();
  let inFlightDropped = 0;
  if (how === 'done') {
    await load.drain();
    await poller.poll(); // final totals from the frontend's clients
  } else {
    inFlightDropped = load.inFlight;
  }

  // 4. The summary.
  const snap = poller.lastGood;
  const sum = (f: (s: SnapshotView['services'][number]) => number): number | undefined =>
    snap === undefined ? undefined : snap.services.reduce((n, s) => n + f(s), 0);
  const status = instances();
  const dashEventTime = (e: DashboardEventView): number => e.at - wallT0;
  const eventName = (e: DashboardEventView): string =>
    instanceForAddress(status, e.endpoint) ?? e.endpoint ?? e.service;
  if (inFlightDropped > 0)
    notices.push(`${inFlightDropped} requests were still in flight at Ctrl-C and are not counted`);
  const failuresList = [...load.failures].sort((a, b) => b[1] - a[1]).slice(0, 6);
  const summary = renderSummary(
    {
      elapsedMs: endMs,
      durationMs: args.durationMs,
      interrupted: how === 'interrupt',
      targetRate: args.rate,
      requests: load.totals.requests,
      ok: load.totals.ok,
      failures: failuresList,
      p50Ms: load.total.percentile(0.5),
      p99Ms: load.total.percentile(0.99),
      p999Ms: load.total.percentile(0.999),
      maxMs: load.total.maxMs,
      retries: sum((s) => s.totals.retries),
      breakerTransitions: sum((s) => s.totals.breakerTransitions),
      ejections: sum((s) => s.totals.ejections),
      dashboardEvents: poller.events,
      chaos: chaosOutcomes(
        chaos.applied.map((a) => {
          const around = windows.around(events.indexOf(a.event));
          const none = { requests: 0, successRate: undefined, p99Ms: 0 };
          return {
            startedAtMs: a.startedAtMs,
            label: a.event.label,
            result: a.result,
            services: a.event.services,
            before: around?.before ?? none,
            after: around?.after ?? none,
          };
        }),
        poller.events,
        endMs,
        dashEventTime,
        eventName,
      ),
      notices,
      processes: [...specs.map((s) => s.id), 'frontend'].map((id) => ({ id, pids: pidsById.get(id) ?? [] })),
      shopUrl,
      dashboardUrl,
    },
    style,
  );
  say(summary);
  if (snap === undefined)
    say(style.dim(`(no dashboard snapshot: ${poller.problem ?? 'unknown'}; retries and breakers show "–")`));

  if (how === 'interrupt' || args.exit) return shutdown(0);

  // 5. Keep the shop up with a light load so the dashboard stays live, until Ctrl-C.
  load.setRate(Math.min(args.rate, Math.max(2, Math.round(args.rate / 10))));
  load.start();
  say(`Dashboard: ${dashboardUrl} — press Ctrl-C to stop`);
  await interrupts.signalled;
  return shutdown(0);
}
