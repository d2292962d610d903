// The state behind one client: per-service states (lazily created on first use, cached by origin
// string), the passthrough agent, the live calls, metrics and tracing.

import type { ClientTracing } from '@breakwater/tracing';
import { createClientTracing, defaultIdGenerator, type IdGenerator } from '@breakwater/tracing';
import { Agent, type Dispatcher, type Pool } from 'undici';
import type { Clock } from './clock.js';
import { ClientMetrics } from './core/metrics.js';
import { SdkProbe } from './core/sdk-probe.js';
import { ServiceState } from './core/service-state.js';
import { UnknownServiceError } from './errors.js';
import type { HttpCallContext } from './http/call-context.js';
import { HttpCall } from './http/http-call.js';
import type { LazyPool } from './http/lazy-pool.js';
import type { LegacyHandler } from './http/legacy-handler.js';
import { poolTransport } from './http/pool-transport.js';
import {
  type CallPlan,
  type ResolvedClientOptions,
  type ResolvedServicePolicy,
  resolveServicePolicy,
} from './options.js';
import { matchRoute } from './route-matcher.js';

const PASSTHROUGH = 1;
const REFUSE = 2;

type Route = ServiceState<LazyPool> | typeof PASSTHROUGH | typeof REFUSE;

export class ClientCore implements HttpCallContext {
  readonly options: ResolvedClientOptions;
  readonly clock: Clock;
  readonly tracing: ClientTracing | undefined;
  readonly ids: IdGenerator;
  readonly propagateDeadline: boolean;
  readonly metrics: ClientMetrics | undefined;
  readonly #routes = new Map<string, Route>();
  readonly #services = new Map<string, ServiceState<LazyPool>>();
  readonly #poolOptions: Pool.Options | undefined;
  #agent: Agent | undefined;
  #closed = false;
  #closing: Promise<void> | undefined;
  #live: HttpCall | undefined;
  /** One ticker per client checks every live call's next timed event: no timer per call. */
  #ticker: NodeJS.Timeout | undefined;
  readonly #resolution: number;
  readonly #sdk: SdkProbe;

  constructor(options: ResolvedClientOptions, poolOptions: Pool.Options | undefined) {
    this.options = options;
    this.clock = options.clock;
    this.propagateDeadline = options.propagateDeadline;
    this.tracing = options.tracing === false ? undefined : createClientTracing(options.tracing);
    this.ids = (options.tracing === false ? undefined : options.tracing.ids) ?? defaultIdGenerator;
    this.#poolOptions = poolOptions;
    this.#resolution = options.timerResolutionMs;
    this.#sdk = new SdkProbe(options.tracing !== false && options.tracing.tracer !== undefined);
    this.metrics =
      options.metrics === undefined
        ? undefined
        : new ClientMetrics(options.metrics.registry, options.metrics.prefix ?? 'breakwater_client_', {
            forEachService: (fn) => {
              for (const [name, s] of this.#services) fn(name, s.counts());
            },
          });
  }

  get closed(): boolean {
    return this.#closed;
  }

  link(call: HttpCall): void {
    call.nextLive = this.#live;
    if (this.#live !== undefined) this.#live.prevLive = call;
    this.#live = call;
  }

  unlink(call: HttpCall): void {
    if (call.prevLive !== undefined) call.prevLive.nextLive = call.nextLive;
    else if (this.#live === call) this.#live = call.nextLive;
    else return;
    if (call.nextLive !== undefined) call.nextLive.prevLive = call.prevLive;
    call.nextLive = undefined;
    call.prevLive = undefined;
  }

  /** Rechecked at most every 250 ms: an SDK is registered once, at startup. */
  noSdk(now: number): boolean {
    return this.#sdk.noSdk(now);
  }

  tick(): void {
    if (this.#ticker !== undefined) return;
    // Ref'd on purpose: a call waiting out a backoff must keep the process alive. It stops itself
    // on the first tick with no live call.
    this.#ticker = setInterval(() => this.#onTick(), this.#resolution);
  }

  #onTick(): void {
    let c = this.#live;
    if (c === undefined) {
      // Idle: stop until a call needs timing again.
      clearInterval(this.#ticker);
      this.#ticker = undefined;
      return;
    }
    const now = this.clock.now();
    while (c !== undefined) {
      const next: HttpCall | undefined = c.nextLive;
      if (c.timerAt <= now) c.onTimer(now);
      c = next;
    }
  }

  /** Is this host a service? Declared ones, or (for registries that list them) the registry's. */
  #isService(host: string): boolean {
    if (this.options.services.has(host)) return true;
    const r = this.options.registry as { services?: () => readonly string[] };
    if (typeof r.services === 'function') {
      try {
        return r.services().some((s) => s.toLowerCase() === host);
      } catch {
        return false;
      }
    }
    return false;
  }

  #route(origin: unknown): Route | TypeError {
    const key = typeof origin === 'string' ? origin : String(origin);
    const cached = this.#routes.get(key);
    if (cached !== undefined) return cached;
    let url: URL;
    try {
      url = new URL(key);
    } catch {
      return new TypeError(`invalid origin: ${key}`);
    }
    const host = url.hostname.toLowerCase();
    let route: Route;
    if (this.#isService(host)) {
      if (url.protocol !== 'http:') {
        return new TypeError(`service ${host}: only http:// service URLs are supported, got ${url.protocol}`);
      }
      route = this.service(host);
    } else {
      route = this.options.unknownHosts === 'passthrough' ? PASSTHROUGH : REFUSE;
    }
    if (this.#routes.size < 10_000) this.#routes.set(key, route);
    return route;
  }

  /** The services created so far (read-only view, for inspection). */
  serviceStates(): IterableIterator<ServiceState<LazyPool>> {
    return this.#services.values();
  }

  /** The state of a service, created on first use (its watch starts on its first call). */
  service(name: string): ServiceState<LazyPool> {
    let s = this.#services.get(name);
    if (s === undefined) {
      const policy: ResolvedServicePolicy = resolveServicePolicy(
        name,
        this.options.defaults,
        this.options.services.get(name),
      );
      s = new ServiceState<LazyPool>(
        name,
        policy,
        {
          registry: this.options.registry,
          clock: this.clock,
          random: this.options.random,
          metrics: this.metrics,
          evaluateIntervalMs: this.options.evaluateIntervalMs,
        },
        poolTransport(policy.pool, this.#poolOptions),
      );
      this.#services.set(name, s);
    }
    return s;
  }

  dispatch(
    opts: Dispatcher.DispatchOptions,
    h: LegacyHandler,
    original: Dispatcher.DispatchHandler,
  ): boolean {
    const route = this.#route(opts.origin);
    if (typeof route === 'number' || route instanceof TypeError) {
      if (route === PASSTHROUGH && !this.#closed) {
        this.#agent ??= new Agent(this.#poolOptions);
        return this.#agent.dispatch(opts, original);
      }
      const err =
        route instanceof TypeError
          ? route
          : this.#closed && route === PASSTHROUGH
            ? new TypeError('the client is closed')
            : new UnknownServiceError(hostOf(opts.origin));
      h.onConnect?.(() => undefined);
      if (h.onError === undefined) throw err;
      h.onError(err);
      return false;
    }
    const svc = route;
    const now = this.clock.now();
    const call = new HttpCall(this, svc, this.#plan(svc, opts), opts, h, now);
    call.begin();
    return true;
  }

  #plan(svc: ServiceState<LazyPool>, opts: Dispatcher.DispatchOptions): CallPlan {
    const routes = svc.policy.routes;
    if (routes.length === 0) return svc.policy.plan;
    const method = opts.method;
    const path = opts.path;
    for (const r of routes) if (matchRoute(r.match, method, path)) return r.plan;
    return svc.policy.plan;
  }

  close(force = false): Promise<void> {
    if (this.#closing !== undefined) return this.#closing;
    this.#closed = true;
    if (this.#ticker !== undefined) {
      clearInterval(this.#ticker);
      this.#ticker = undefined;
    }
    for (let c = this.#live; c !== undefined; ) {
      const next = c.nextLive;
      if (force) c.destroy();
      else c.closeIfIdle();
      c = next;
    }
    const services = [...this.#services.values()];
    const agent = this.#agent;
    this.#closing = (async () => {
      await Promise.all([
        ...services.map((s) => s.close(force)),
        agent === undefined ? undefined : force ? agent.destroy() : agent.close(),
      ]);
    })();
    return this.#closing;
  }
}

function hostOf(origin: unknown): string {
  try {
    return new URL(String(origin)).hostname;
  } catch {
    return String(origin);
  }
}
