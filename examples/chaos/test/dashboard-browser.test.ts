// The live dashboard in a real browser (Debian's headless Chromium via playwright-core): it shows the
// services of a chaos run and follows an endpoint breaker opening; and it renders 50 services × 20
// endpoints and keeps applying updates. Writes test-output/dashboard-chaos.png at the repository root.
import diagnostics from 'node:diagnostics_channel';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DashboardSource, InspectedEndpoint, ServiceInspection } from '@breakwater/client';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DashboardServer, serveDashboard } from '../src/dashboard-server.js';
import { runScenario, type ScenarioResult } from '../src/run-scenario.js';
import { type Browser, launchChromium, processesMentioning } from './browser.js';

const OUTPUT = fileURLToPath(new URL('../../../test-output/', import.meta.url));
const SCREENSHOT = `${OUTPUT}dashboard-chaos.png`;

/** Polls `fn` (no sleeps: each poll is a round trip to the browser) until it is true or the deadline passes. */
async function until(fn: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!(await fn())) {
    if (performance.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
  }
}

let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  const profile = browser.profile;
  await browser.close();
  // No Chromium process of ours is left, and the temporary profile is gone.
  const end = performance.now() + 10_000;
  while (processesMentioning(profile).length > 0 && performance.now() < end) {
    await new Promise((r) => setImmediate(r));
  }
  expect(processesMentioning(profile)).toEqual([]);
  expect(existsSync(profile)).toBe(false);
});

/** The page's console errors and CSP violations, which must stay empty. */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

describe('the dashboard in Chromium', () => {
  it('shows the chaos run and follows an endpoint breaker opening; writes the screenshot', async () => {
    const server: DashboardServer = await serveDashboard(0, {
      title: 'chaos: broken-replica',
      intervalMs: 250,
    });
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 1280, height: 560 });
    const errors = watchErrors(page);
    let run: Promise<ScenarioResult> | undefined;
    try {
      await page.goto(server.url);
      await until(
        async () => (await page.getAttribute('#conn', 'data-state')) === 'live',
        10_000,
        'the stream to connect',
      );
      // One replica of three starts failing every request a third into the run; round-robin keeps sending it
      // its share until its endpoint breaker opens.
      run = runScenario({
        scenario: 'broken-replica',
        client: 'breakwater',
        durationMs: 6_000,
        rate: 100,
        dashboard: server.dashboard,
      });
      const card = page.locator('article.card[data-service="catalog"]');
      await until(async () => (await card.count()) === 1, 10_000, 'the catalog card');
      await until(
        async () => (await card.locator('tr[data-endpoint]').count()) === 3,
        10_000,
        'three endpoint rows',
      );
      await page.click('#expand');
      expect(await card.locator('details').getAttribute('open')).not.toBeNull();
      // Every endpoint starts closed …
      const badges = card.locator('tr[data-endpoint] .badge');
      expect(await badges.evaluateAll((els) => els.map((e) => e.getAttribute('data-state')))).toEqual([
        'closed',
        'closed',
        'closed',
      ]);
      // … then one opens during the scenario, and the page shows it.
      const openRow = card.locator('tr[data-endpoint][data-breaker="open"]');
      await until(async () => (await openRow.count()) === 1, 15_000, 'an open endpoint breaker in the page');
      expect(await openRow.locator('.badge').textContent()).toBe('open');
      await until(
        async () => (await page.locator('#events li[data-kind="breaker"]').count()) > 0,
        5_000,
        'the transition in the events feed',
      );
      expect(await page.locator('#events li[data-kind="breaker"]').first().textContent()).toContain('→');
      const rate = Number(await card.locator('.stat .v').first().textContent());
      expect(rate).toBeGreaterThan(0);
      mkdirSync(OUTPUT, { recursive: true });
      await page.screenshot({ path: SCREENSHOT });
      expect(statSync(SCREENSHOT).size).toBeGreaterThan(10_000);
      const result = await run;
      run = undefined;
      expect(result.breakerTransitions).toBeGreaterThan(0);
      expect(result.successRate).toBeGreaterThanOrEqual(0.99);
      expect(errors).toEqual([]);
      // The stream drops (the dashboard closes): the page says so, and keeps the last figures.
      await server.close();
      await until(
        async () => (await page.getAttribute('#conn', 'data-state')) === 'disconnected',
        10_000,
        'the disconnected state',
      );
      expect(await card.locator('tr[data-endpoint]').count()).toBe(3);
    } finally {
      await run?.catch(() => undefined);
      await page.close();
      await server.close();
    }
  });

  it('renders 50 services × 20 endpoints and keeps applying updates', async () => {
    // A synthetic source: generation g sets bulkhead figures and opens one endpoint breaker per service.
    let generation = 0;
    const services: ServiceInspection[] = [];
    const rebuild = (): void => {
      services.length = 0;
      for (let s = 0; s < 50; s++) {
        const name = `svc-${String(s).padStart(2, '0')}`;
        const endpoints: InspectedEndpoint[] = [];
        for (let e = 0; e < 20; e++) {
          endpoints.push({
            id: `${name}-ep-${e}`,
            host: `10.0.${s}.${e}`,
            port: 8080,
            breaker: generation > 0 && e === generation % 20 ? 'open' : 'closed',
            inflight: generation,
            latencyMs: 5,
            healthy: true,
            ejected: false,
          });
        }
        services.push({
          name,
          breaker: 'closed',
          bulkhead: { inFlight: generation, queued: s },
          budget: { balance: 100 + generation },
          endpoints,
        });
      }
    };
    rebuild();
    const source: DashboardSource = { inspect: () => services };
    const server = await serveDashboard(0, { title: '50 × 20', intervalMs: 200, sources: [source] });
    const page = await browser.context.newPage();
    const errors = watchErrors(page);
    const end = diagnostics.channel('breakwater:request:end');
    const attempt = diagnostics.channel('breakwater:attempt:end');
    try {
      await page.goto(server.url);
      await until(
        async () => (await page.locator('article.card').count()) === 50,
        15_000,
        'fifty service cards',
      );
      await until(
        async () => (await page.locator('tr[data-endpoint]').count()) === 1000,
        15_000,
        'a thousand endpoint rows',
      );
      await page.click('#expand'); // every table open: the heaviest rendering
      for (const g of [1, 2, 3]) {
        generation = g;
        rebuild();
        // Calls in this interval: service s gets s + g calls, one attempt each on endpoint 0.
        for (let s = 0; s < 50; s++) {
          const service = `svc-${String(s).padStart(2, '0')}`;
          for (let k = 0; k < s + g; k++) {
            end.publish({ service, outcome: 'success', durationMs: 10 * g });
            attempt.publish({ service, endpoint: `${service}-ep-0`, outcome: 'success', durationMs: 10 * g });
          }
        }
        const card = page.locator('article.card[data-service="svc-42"]');
        await until(
          async () =>
            (await card.locator(`tr[data-endpoint="svc-42-ep-${g}"] .badge`).getAttribute('data-state')) ===
              'open' &&
            (await card.locator('.meta b').nth(3).textContent()) === `${g} / 42 q` &&
            (await card.locator('tr[data-endpoint="svc-42-ep-0"] .inflight').textContent()) === String(g),
          10_000,
          `generation ${g} in the page`,
        );
        // The previous generation's open breaker went back to closed in the same update.
        if (g > 1) {
          expect(
            await card.locator(`tr[data-endpoint="svc-42-ep-${g - 1}"] .badge`).getAttribute('data-state'),
          ).toBe('closed');
        }
      }
      // The rows were updated in place, not rebuilt: still exactly one row per endpoint, and a node we
      // tagged before the updates is still there.
      await page
        .locator('tr[data-endpoint="svc-00-ep-0"]')
        .evaluate((row) => row.setAttribute('data-tag', 'kept'));
      generation = 4;
      rebuild();
      await until(
        async () =>
          (await page.locator('tr[data-endpoint="svc-00-ep-4"] .badge').getAttribute('data-state')) ===
          'open',
        10_000,
        'generation 4 in the page',
      );
      expect(await page.locator('tr[data-endpoint]').count()).toBe(1000);
      expect(await page.locator('tr[data-tag="kept"]').count()).toBe(1);
      expect(await page.locator('#sum').textContent()).toContain('50 services · 1000 endpoints');
      expect(errors).toEqual([]);
    } finally {
      await page.close();
      await server.close();
    }
  });
});
