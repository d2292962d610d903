// The dashboard page in a real browser (Debian's headless Chromium via playwright-core): how long one
// SSE frame takes from its arrival in the page to the end of its DOM update and to the next painted
// frame, with 50 services × 20 endpoints whose figures all change every interval (250 ms), against
// 10 × 5 (the anchor) in the same run; the initial render of 50 × 20; long tasks; the JS heap.
//
// Measured inside the page, without changing it: an init script wraps the `snapshot` listener the page
// adds to its EventSource (performance.now() before and after it; JSON.parse timed on the side), then
// waits for the next animation frame and a task posted from it (which runs after that frame's style,
// layout and paint). Chromium's own accounting (CDP Performance.getMetrics: script, style, layout) is
// read before and after each window.
import diagnostics from 'node:diagnostics_channel';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createDashboard,
  type Dashboard,
  type DashboardSource,
  type InspectedEndpoint,
  type ServiceInspection,
} from '@breakwater/client';
import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import { launchChromium, processesMentioning } from '../examples/chaos/test/browser.js';
import { median, quantile, writeResults } from './lib/harness.js';

const INTERVAL_MS = 250;
const FRAMES = 40;
const HISTORY = 60;

// ---- The server side: a dashboard fed by a synthetic source and synthetic channel traffic ----------

/** A seeded LCG: the same traffic every run. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

interface Fleet {
  readonly dashboard: Dashboard;
  readonly url: string;
  close(): Promise<void>;
}

/**
 * `services` × `endpoints`, every figure moving every interval: latencies and outcomes of the calls
 * published on the channels (every 25 ms), in-flight counts, bulkhead, budget, one rotating open breaker
 * and one ejected endpoint per service (the source), and a breaker transition in the events feed.
 */
async function startFleet(services: number, endpoints: number, seed: number): Promise<Fleet> {
  const random = lcg(seed);
  const names = Array.from({ length: services }, (_, s) => `svc-${String(s).padStart(2, '0')}`);
  let generation = 0;
  const inspect = (): ServiceInspection[] => {
    generation++;
    return names.map((name, s) => {
      const eps: InspectedEndpoint[] = [];
      for (let e = 0; e < endpoints; e++) {
        eps.push({
          id: `${name}-ep-${e}`,
          host: `10.${s >> 8}.${s & 255}.${e + 1}`,
          port: 8080,
          breaker: e === (generation + s) % endpoints ? 'open' : 'closed',
          inflight: Math.floor(random() * 8),
          latencyMs: 5,
          healthy: e !== (generation + s + 1) % endpoints,
          ejected: e === (generation + s + 2) % endpoints,
        });
      }
      return {
        name,
        breaker: (generation + s) % 17 === 0 ? 'half-open' : 'closed',
        bulkhead: { inFlight: Math.floor(random() * 50), queued: Math.floor(random() * 5) },
        budget: { balance: 50 + Math.floor(random() * 50) },
        endpoints: eps,
      };
    });
  };
  const source: DashboardSource = { inspect };

  // Virtual time only moves ahead of the real clock while the history is prefilled (no stream yet).
  let skew = 0;
  const clock = { now: () => performance.timeOrigin + performance.now() + skew };
  const dashboard = createDashboard({
    sources: [source],
    intervalMs: INTERVAL_MS,
    clock,
    historyPoints: HISTORY,
  });

  const end = diagnostics.channel('breakwater:request:end');
  const attempt = diagnostics.channel('breakwater:attempt:end');
  const breaker = diagnostics.channel('breakwater:breaker:state');
  let beat = 0;
  const traffic = (): void => {
    beat++;
    const phase = beat / 40;
    for (let s = 0; s < services; s++) {
      const service = names[s]!;
      for (let e = 0; e < endpoints; e++) {
        const base = 2 + ((s * 7 + e * 3) % 40);
        const durationMs = base * (1 + 0.5 * Math.sin(phase + e)) + random() * base;
        const outcome = random() < 0.02 * (1 + (e % 3)) ? 'failure' : 'success';
        attempt.publish({ service, endpoint: `${service}-ep-${e}`, outcome, durationMs });
        end.publish({ service, outcome, durationMs: durationMs * 1.1 });
      }
    }
    if (beat % 10 === 0) {
      const s = beat % services;
      breaker.publish({
        service: names[s]!,
        endpoint: `${names[s]!}-ep-${beat % endpoints}`,
        from: 'closed',
        to: 'open',
      });
    }
  };
  for (let i = 0; i < HISTORY; i++) {
    for (let k = 0; k < INTERVAL_MS / 25; k++) traffic();
    skew += INTERVAL_MS;
    dashboard.tick();
  }
  const timer = setInterval(traffic, 25);
  const server: Server = createServer(dashboard.handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return {
    dashboard,
    url,
    async close() {
      clearInterval(timer);
      await dashboard.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// ---- The page side ----------------------------------------------------------------------------------

interface FrameSample {
  /** When the page's snapshot listener was entered (performance.now(), ms). */
  at: number;
  /** JSON.parse of the frame, ms. */
  parse: number;
  /** The whole listener: parse + DOM update, ms. */
  handler: number;
  /** Arrival → the next animation frame's callbacks (waits for vsync), ms. */
  toFrame: number;
  /** Arrival → a task posted from that frame, which runs after its style, layout and paint, ms. */
  toPainted: number;
  bytes: number;
}

interface PageProbe {
  frames: FrameSample[];
  longTasks: { start: number; duration: number }[];
}

/**
 * Runs in the page before its own script. A string, not a function: tsx's transpiled functions may
 * reference helpers (`__name`) that do not exist in the page.
 */
const INSTRUMENT = `(() => {
  const probe = { frames: [], longTasks: [] };
  globalThis.__probe = probe;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) probe.longTasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
  const parse = JSON.parse;
  let parseMs = 0;
  JSON.parse = function (text, reviver) {
    const t = performance.now();
    const out = parse.call(JSON, text, reviver);
    parseMs += performance.now() - t;
    return out;
  };
  const add = EventSource.prototype.addEventListener;
  EventSource.prototype.addEventListener = function (type, listener, options) {
    if (type !== 'snapshot' || typeof listener !== 'function') return add.call(this, type, listener, options);
    const wrapped = function (ev) {
      const t0 = performance.now();
      parseMs = 0;
      listener.call(this, ev);
      const sample = { at: t0, parse: parseMs, handler: performance.now() - t0, toFrame: 0, toPainted: 0, bytes: ev.data.length };
      requestAnimationFrame(() => {
        sample.toFrame = performance.now() - t0;
        const ch = new MessageChannel();
        ch.port1.onmessage = () => {
          sample.toPainted = performance.now() - t0;
          ch.port1.close();
          probe.frames.push(sample);
        };
        ch.port2.postMessage(null);
      });
    };
    return add.call(this, type, wrapped, options);
  };
})();`;

/** Clicks "expand all" and resolves with the time until the frame showing it has been painted. */
const EXPAND = `new Promise((resolve) => {
  const t0 = performance.now();
  document.getElementById('expand').click();
  requestAnimationFrame(() => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => {
      ch.port1.close();
      resolve(performance.now() - t0);
    };
    ch.port2.postMessage(null);
  });
})`;

/** Polls every 100 ms: each poll is a task in the page, which must not disturb what is measured. */
async function until(fn: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!(await fn())) {
    if (performance.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const framesSeen = (page: Page): Promise<number> => page.evaluate('globalThis.__probe.frames.length');

type Metrics = Record<string, number>;
async function cdpMetrics(cdp: CDPSession): Promise<Metrics> {
  const { metrics } = (await cdp.send('Performance.getMetrics')) as {
    metrics: { name: string; value: number }[];
  };
  return Object.fromEntries(metrics.map((m) => [m.name, m.value]));
}

async function heap(cdp: CDPSession): Promise<{ usedMiB: number; nodes: number }> {
  await cdp.send('HeapProfiler.collectGarbage');
  const usage = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
  const m = await cdpMetrics(cdp);
  return { usedMiB: usage.usedSize / 2 ** 20, nodes: m.Nodes ?? Number.NaN };
}

interface Stats {
  median: number;
  p95: number;
  max: number;
}
const stats = (xs: number[]): Stats => ({
  median: median(xs),
  p95: quantile(xs, 0.95),
  max: Math.max(...xs),
});

interface WindowResult {
  label: string;
  frames: number;
  kib: number;
  parse: Stats;
  handler: Stats;
  toPainted: Stats;
  /** toPainted − toFrame: the style, layout and paint after the frame's callbacks. */
  render: Stats;
  longTasks: number;
  longTaskMs: number;
  /** Chromium's own accounting per frame (CDP Performance.getMetrics deltas), ms. */
  cdp: { script: number; style: number; layout: number; task: number };
  heap: { usedMiB: number; nodes: number };
}

/** Collects `FRAMES` frames from now on. */
async function measureWindow(page: Page, cdp: CDPSession, label: string): Promise<WindowResult> {
  const start = await framesSeen(page);
  const t0 = (await page.evaluate('performance.now()')) as number;
  const m0 = await cdpMetrics(cdp);
  await until(
    async () => (await framesSeen(page)) >= start + FRAMES,
    FRAMES * INTERVAL_MS * 4 + 30_000,
    `${FRAMES} frames (${label})`,
  );
  const m1 = await cdpMetrics(cdp);
  const probe = (await page.evaluate('globalThis.__probe')) as PageProbe;
  const frames = probe.frames.slice(start, start + FRAMES);
  const long = probe.longTasks.filter((t) => t.start >= t0);
  const d = (k: string): number => (((m1[k] ?? 0) - (m0[k] ?? 0)) * 1000) / frames.length;
  return {
    label,
    frames: frames.length,
    kib: median(frames.map((f) => f.bytes)) / 1024,
    parse: stats(frames.map((f) => f.parse)),
    handler: stats(frames.map((f) => f.handler)),
    toPainted: stats(frames.map((f) => f.toPainted)),
    render: stats(frames.map((f) => f.toPainted - f.toFrame)),
    longTasks: long.length,
    longTaskMs: long.reduce((a, t) => a + t.duration, 0),
    cdp: {
      script: d('ScriptDuration'),
      style: d('RecalcStyleDuration'),
      layout: d('LayoutDuration'),
      task: d('TaskDuration'),
    },
    heap: await heap(cdp),
  };
}

interface FleetResult {
  windows: WindowResult[];
  /** The first frame: 50 cards and their rows created from nothing. */
  initial: FrameSample;
  /** Navigation start → first frame painted, ms (the page's own clock). */
  loadToPainted: number;
  /** "expand all" clicked → painted (every endpoint row laid out, every sparkline drawn), ms. */
  expand: number;
}

async function measureFleet(services: number, endpoints: number): Promise<FleetResult> {
  const fleet = await startFleet(services, endpoints, 42 + services);
  const browser = await launchChromium();
  const profile = browser.profile;
  let result: FleetResult;
  try {
    result = await measurePage(browser.context, fleet.url, services, endpoints);
  } finally {
    await browser.close();
    await fleet.close();
  }
  // Nothing of the browser is left: no process mentions its profile, which is gone.
  const end = performance.now() + 10_000;
  while (processesMentioning(profile).length > 0 && performance.now() < end) {
    await new Promise((r) => setTimeout(r, 50));
  }
  if (processesMentioning(profile).length > 0 || existsSync(profile)) {
    throw new Error('Chromium processes or the temporary profile were left behind');
  }
  return result;
}

async function measurePage(
  context: BrowserContext,
  url: string,
  services: number,
  endpoints: number,
): Promise<FleetResult> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.addInitScript({ content: INSTRUMENT });
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  await page.goto(url);
  await until(async () => (await framesSeen(page)) >= 1, 30_000, 'the first frame');
  const initial = (await page.evaluate('globalThis.__probe.frames[0]')) as FrameSample;
  // The page's clock starts at its navigation.
  const loadToPainted = initial.at + initial.toPainted;
  const cards = await page.locator('article.card').count();
  const rows = await page.locator('tr[data-endpoint]').count();
  if (cards !== services || rows !== services * endpoints) {
    throw new Error(`expected ${services} cards and ${services * endpoints} rows, got ${cards} and ${rows}`);
  }
  // Let a few frames pass (JIT, fonts) before measuring.
  const warm = (await framesSeen(page)) + 5;
  await until(async () => (await framesSeen(page)) >= warm, 30_000, 'warm-up frames');
  const collapsed = await measureWindow(page, cdp, `${services} × ${endpoints}, tables collapsed`);

  // Expanding every table: time the click's DOM work and the frame that shows it, in the page.
  const expand = (await page.evaluate(EXPAND)) as number;
  const open = await page.locator('details[open]').count();
  if (open !== services) throw new Error(`expected ${services} open tables, got ${open}`);
  const expanded = await measureWindow(page, cdp, `${services} × ${endpoints}, every table expanded`);
  if (errors.length > 0) throw new Error(`page errors: ${errors.join('; ')}`);
  await page.close();
  return { windows: [collapsed, expanded], initial, loadToPainted, expand };
}

// The anchor first, then the load under test.
const small = await measureFleet(10, 5);
const big = await measureFleet(50, 20);

const ms = (x: number): string => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const row = (w: WindowResult): string =>
  `| ${w.label} | ${w.kib.toFixed(0)} KiB | ${ms(w.parse.median)} / ${ms(w.parse.p95)} | ${ms(w.handler.median)} / ${ms(w.handler.p95)} | ${ms(w.render.median)} / ${ms(w.render.p95)} | ${ms(w.toPainted.median)} / ${ms(w.toPainted.p95)} | ${ms(w.cdp.script)} · ${ms(w.cdp.style)} · ${ms(w.cdp.layout)} | ${ms(w.cdp.task)} | ${w.longTasks} (${w.longTaskMs.toFixed(0)} ms) | ${w.heap.usedMiB.toFixed(1)} MiB, ${w.heap.nodes} nodes |`;
const windows = [...small.windows, ...big.windows];
const [bigCollapsed, bigExpanded] = big.windows as [WindowResult, WindowResult];
const [smallCollapsed, smallExpanded] = small.windows as [WindowResult, WindowResult];
const ratio = (a: WindowResult, b: WindowResult): string => (a.handler.median / b.handler.median).toFixed(1);

const responsive = (w: WindowResult): string =>
  `${w.handler.median < 16.7 ? 'the DOM update fits in one 60 Hz frame (16.7 ms)' : 'the DOM update alone takes more than one 60 Hz frame'}, the whole frame ${ms(w.handler.median + w.render.median)} ms`;
const summary = [
  `- **50 × 20, tables collapsed (the default view): ${ms(bigCollapsed.handler.median)} ms median (p95 ${ms(bigCollapsed.handler.p95)} ms)** from a frame's arrival to the end of its DOM update, of which JSON.parse ${ms(bigCollapsed.parse.median)} ms; + ${ms(bigCollapsed.render.median)} ms of style/layout/paint: ${responsive(bigCollapsed)}. ${bigCollapsed.longTasks} long tasks (> 50 ms) in ${FRAMES} frames.`,
  `- **50 × 20, every table open (1,000 rows in the DOM; those near the screen laid out, painted and drawn): ${ms(bigExpanded.handler.median)} ms median (p95 ${ms(bigExpanded.handler.p95)} ms)** + ${ms(bigExpanded.render.median)} ms style/layout/paint: ${responsive(bigExpanded)}. ${bigExpanded.longTasks} long tasks.`,
  `- Anchor 10 × 5 in the same run: ${ms(smallCollapsed.handler.median)} ms collapsed, ${ms(smallExpanded.handler.median)} ms expanded; 50 × 20 costs ${ratio(bigCollapsed, smallCollapsed)}× / ${ratio(bigExpanded, smallExpanded)}× that for 20× the endpoints.`,
  `- Initial render of 50 × 20 (50 cards, 1,000 rows created from the first frame): ${ms(big.initial.handler)} ms handler (parse ${ms(big.initial.parse)} ms), painted ${ms(big.initial.toPainted)} ms after arrival; navigation → first frame painted ${ms(big.loadToPainted)} ms. "Expand all" on 50 × 20: ${ms(big.expand)} ms to painted.`,
  `- JS heap after the run (after a forced GC): ${bigExpanded.heap.usedMiB.toFixed(1)} MiB for 50 × 20 (${bigExpanded.heap.nodes} DOM nodes) vs ${smallExpanded.heap.usedMiB.toFixed(1)} MiB for 10 × 5.`,
];
console.log(summary.join('\n'));

writeResults(
  'dashboard-page',
  'Dashboard page: frame update time in Chromium, 50 services × 20 endpoints',
  'npx tsc -b packages/client && node scripts/run-benchmarks.mjs dashboard-page',
  [
    `The page served by \`createDashboard\` (intervalMs ${INTERVAL_MS}, ${HISTORY}-point histories prefilled) over`,
    'loopback, opened in Debian headless Chromium (playwright-core, `--headless --disable-gpu`, 1400 × 900',
    'viewport, fresh profile). Every figure changes every interval: call latencies and outcomes on every',
    'endpoint (channel traffic every 25 ms), in-flight counts, bulkhead and budget, one rotating open breaker,',
    'unhealthy and ejected endpoint per service, a breaker transition in the events feed every 250 ms.',
    'The page reads `stream?view=page`: a full snapshot first, then frames without histories (the page',
    'extends its own); "frame" below is the median frame size the page receives.',
    `${FRAMES} consecutive frames per window, measured in the page by an init script around the page's own`,
    '`snapshot` listener (the page is not modified): *handler* = arrival → end of the DOM update (JSON.parse',
    'included); *style/layout/paint* = from the next animation frame to a task posted from it (runs after',
    "that frame's rendering); *to painted* = arrival → that task (includes the wait for vsync, up to 16.7 ms);",
    "CDP = Chromium's own script · style · layout time per frame (Performance.getMetrics deltas); main thread",
    "busy = all its tasks per frame (TaskDuration: also the browser's SSE decoding, paint and this probe's polls",
    'every 100 ms), which is what is left of the 250 ms for the user; long tasks',
    '= PerformanceObserver `longtask` (> 50 ms) during the window; heap = `Runtime.getHeapUsage` after a',
    'forced GC. "Responsive" as the issue means it: the DOM update (handler) under one 60 Hz frame (16.7 ms)',
    'at the median; style/layout/paint comes on top, with a floor of ≈ 14 ms in this headless, software-',
    'rendered setup whatever the page size (see the 10 × 5 anchor).',
    'Shared 2-core machine, Chromium competing with the Node server and other jobs: read the 10 × 5 anchor',
    'measured in the same run, and the medians rather than the p95s.',
    '',
    ...summary,
    '',
    'Before the rendering work on the page (keyed DOM but `textContent` replaced, every sparkline drawn with',
    '`toFixed`, no `content-visibility`, full 1.2 MiB frames), this benchmark measured in a separate run on the',
    'same machine (2026-11-26): 50 × 20 collapsed 17.5 ms (p95 28.8) arrival → DOM updated, 24 ms style/layout/',
    'paint, main thread 74 ms per frame, 11 long tasks; every table open 56 ms (p95 86), 263 ms, 279 ms (longer',
    'than the 250 ms interval: the page fell behind), 82 long tasks; "expand all" 454 ms. 10 × 5: 4.4 / 6.8 ms.',
    '',
    '| window | frame | JSON.parse ms (median / p95) | handler ms | style/layout/paint ms | to painted ms | CDP per frame: script · style · layout ms | main thread busy per frame ms | long tasks | heap after |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...windows.map(row),
    '',
    '| initial render | 10 × 5 | 50 × 20 |',
    '| --- | ---: | ---: |',
    `| first frame: JSON.parse ms | ${ms(small.initial.parse)} | ${ms(big.initial.parse)} |`,
    `| first frame: handler (parse + create every card and row) ms | ${ms(small.initial.handler)} | ${ms(big.initial.handler)} |`,
    `| first frame: arrival → painted ms | ${ms(small.initial.toPainted)} | ${ms(big.initial.toPainted)} |`,
    `| navigation start → first frame painted ms | ${ms(small.loadToPainted)} | ${ms(big.loadToPainted)} |`,
    `| "expand all" click → painted ms | ${ms(small.expand)} | ${ms(big.expand)} |`,
  ].join('\n'),
  {
    'dashboardPage.50x20.collapsed.handlerMedianMs': bigCollapsed.handler.median,
    'dashboardPage.50x20.collapsed.handlerP95Ms': bigCollapsed.handler.p95,
    'dashboardPage.50x20.collapsed.renderMedianMs': bigCollapsed.render.median,
    'dashboardPage.50x20.expanded.handlerMedianMs': bigExpanded.handler.median,
    'dashboardPage.50x20.expanded.handlerP95Ms': bigExpanded.handler.p95,
    'dashboardPage.50x20.expanded.renderMedianMs': bigExpanded.render.median,
    'dashboardPage.50x20.longTasks': bigCollapsed.longTasks + bigExpanded.longTasks,
    'dashboardPage.50x20.initialHandlerMs': big.initial.handler,
    'dashboardPage.50x20.heapMiB': bigExpanded.heap.usedMiB,
    'dashboardPage.10x5.collapsed.handlerMedianMs': smallCollapsed.handler.median,
    'dashboardPage.10x5.expanded.handlerMedianMs': smallExpanded.handler.median,
    'dashboardPage.ratio.50x20vs10x5.collapsed': bigCollapsed.handler.median / smallCollapsed.handler.median,
  },
);
