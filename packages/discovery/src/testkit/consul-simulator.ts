// A Consul HTTP API simulator for tests. It models the documented behaviour of exactly the
// endpoints Breakwater uses; it is not Consul (no raft, no gossip, one node, no ACL policies).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { parseDuration } from '../duration.js';
import { type SimCheckStatus, SimHttpError, SimulatorState } from './simulator-state.js';

export type SimulatorFault =
  | { kind: 'http500' }
  | { kind: 'slow'; delayMs: number }
  | { kind: 'invalid-json' }
  | { kind: 'reset' }
  | { kind: 'outage' }
  | { kind: 'index-backwards'; by?: number };

export interface SimulatorRequest {
  readonly method: string;
  /** The raw request target as received (path and query). */
  readonly url: string;
  readonly path: string;
  readonly query: URLSearchParams;
  /** X-Consul-Token (or Authorization: Bearer) if sent. */
  readonly token: string | undefined;
  /** True for a read with index > 0 (a blocking query). */
  readonly blocking: boolean;
  readonly index: number | undefined;
}

export interface ConsulSimulatorOptions {
  /** Time source for TTLs and DeregisterCriticalServiceAfter. Default performance.now. */
  clock?: { now(): number };
  /** For Consul's wait jitter (up to wait/16). Default Math.random. */
  random?: () => number;
  /** When set, every request must carry this token (else 403 "ACL not found"). */
  requireToken?: string;
  datacenter?: string;
  nodeName?: string;
  /** Node.Address, used by clients when Service.Address is empty. Default 127.0.0.1. */
  nodeAddress?: string;
  /** First raft index. Default 10. */
  startIndex?: number;
  /**
   * Expire TTLs on a real timer. Default: true unless a clock is injected; with an injected clock,
   * call `evaluate()` after moving it.
   */
  autoExpire?: boolean;
}

interface Parked {
  readonly res: ServerResponse;
  readonly indexOf: () => number;
  readonly minIndex: number;
  readonly answer: () => void;
  readonly timer: NodeJS.Timeout;
  readonly health: boolean;
}

interface ArmedFault {
  fault: SimulatorFault;
  remaining: number;
  match: RegExp;
}

const DEFAULT_WAIT_MS = 5 * 60_000;
const MAX_WAIT_MS = 10 * 60_000;
const HEALTH_PATH = /^\/v1\/health\/service\//;

export class ConsulSimulator implements AsyncDisposable {
  readonly state: SimulatorState;
  /** Every request seen, in order (to assert on URLs, tokens and blocking). */
  readonly requests: SimulatorRequest[] = [];
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #parked = new Set<Parked>();
  readonly #slow = new Set<NodeJS.Timeout>();
  #faults: ArmedFault[] = [];
  #outage = false;
  readonly #o: Required<Omit<ConsulSimulatorOptions, 'requireToken' | 'autoExpire'>> & {
    requireToken: string | undefined;
    autoExpire: boolean;
  };
  #expiryTimer: NodeJS.Timeout | undefined;
  #port = 0;
  #closed = false;
  /** Resolves waiters of waitForParked. */
  #parkWaiters = new Set<() => void>();

  private constructor(options: ConsulSimulatorOptions) {
    this.#o = {
      clock: options.clock ?? { now: () => performance.now() },
      random: options.random ?? Math.random,
      requireToken: options.requireToken,
      datacenter: options.datacenter ?? 'dc1',
      nodeName: options.nodeName ?? 'sim-node',
      nodeAddress: options.nodeAddress ?? '127.0.0.1',
      startIndex: options.startIndex ?? 10,
      autoExpire: options.autoExpire ?? options.clock === undefined,
    };
    this.state = new SimulatorState(
      () => this.#o.clock.now(),
      this.#o.startIndex,
      () => this.#changed(),
    );
    this.#server = createServer((req, res) => this.#handle(req, res));
    this.#server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
      if (this.#outage) socket.destroy();
    });
  }

  /** Starts on 127.0.0.1 and an ephemeral port. */
  static async start(options: ConsulSimulatorOptions = {}): Promise<ConsulSimulator> {
    const sim = new ConsulSimulator(options);
    await new Promise<void>((resolve, reject) => {
      sim.#server.once('error', reject);
      sim.#server.listen(0, '127.0.0.1', () => resolve());
    });
    sim.#port = (sim.#server.address() as AddressInfo).port;
    return sim;
  }

  /** `http://127.0.0.1:<port>` — use as CONSUL_HTTP_ADDR. */
  get address(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  /** Blocking queries currently parked (optionally only health queries for one service). */
  parkedCount(service?: string): number {
    if (service === undefined) return this.#parked.size;
    let n = 0;
    for (const p of this.#parked)
      if (p.health && (p.res.req.url ?? '').startsWith(`/v1/health/service/${service}?`)) n++;
    return n;
  }

  /** Resolves once at least `count` blocking queries are parked (event-driven, no polling). */
  waitForParked(count = 1, service?: string): Promise<void> {
    if (this.parkedCount(service) >= count) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => {
        if (this.parkedCount(service) >= count) {
          this.#parkWaiters.delete(check);
          resolve();
        }
      };
      this.#parkWaiters.add(check);
    });
  }

  /**
   * Arms a fault for the next `times` matching answers (default 1; Infinity until clearFaults()).
   * Parked blocking queries that match are answered at once, so the fault takes effect immediately.
   * `outage` destroys every connection and refuses new ones until clearFaults(); `index-backwards`
   * rewinds every reported index (as after a snapshot restore) and wakes blocked queries.
   */
  injectFault(fault: SimulatorFault, options: { times?: number; match?: RegExp } = {}): void {
    if (fault.kind === 'index-backwards') {
      this.state.rewind(fault.by ?? Math.ceil(this.state.index / 2));
      for (const p of [...this.#parked]) this.#unpark(p);
      return;
    }
    if (fault.kind === 'outage') {
      this.#outage = true;
      for (const s of this.#sockets) s.destroy();
      return;
    }
    const match = options.match ?? HEALTH_PATH;
    this.#faults.push({ fault, remaining: options.times ?? 1, match });
    for (const p of [...this.#parked]) if (match.test(p.res.req.url ?? '')) this.#unpark(p);
  }

  clearFaults(): void {
    this.#faults = [];
    this.#outage = false;
  }

  /** Sets the status of a check the simulator does not run itself (HTTP, gRPC, TCP). */
  setCheckStatus(checkId: string, status: SimCheckStatus, output = ''): void {
    this.state.setStatus(checkId, status, output);
  }

  /** Re-evaluates TTLs against the clock (call after advancing an injected clock). */
  evaluate(): void {
    const next = this.state.evaluate();
    if (this.#expiryTimer !== undefined) clearTimeout(this.#expiryTimer);
    this.#expiryTimer = undefined;
    if (this.#o.autoExpire && next !== undefined && !this.#closed) {
      this.#expiryTimer = setTimeout(() => this.evaluate(), Math.max(1, next - this.#o.clock.now()));
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#expiryTimer !== undefined) clearTimeout(this.#expiryTimer);
    for (const t of this.#slow) clearTimeout(t);
    for (const p of this.#parked) clearTimeout(p.timer);
    this.#parked.clear();
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const s of this.#sockets) s.destroy();
    await closed;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #changed(): void {
    for (const p of [...this.#parked]) if (p.indexOf() > p.minIndex) this.#unpark(p);
    if (this.#o.autoExpire) queueMicrotask(() => this.#closed || this.evaluate());
  }

  #unpark(p: Parked): void {
    if (!this.#parked.delete(p)) return;
    clearTimeout(p.timer);
    p.answer();
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    if (this.#outage) {
      req.socket.destroy();
      return;
    }
    const url = new URL(req.url ?? '/', 'http://sim');
    const headerToken = req.headers['x-consul-token'];
    const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const token = (Array.isArray(headerToken) ? headerToken[0] : headerToken) ?? bearer;
    const indexText = url.searchParams.get('index');
    const index = indexText !== null && /^\d+$/.test(indexText) ? Number(indexText) : undefined;
    this.requests.push({
      method: req.method ?? '',
      url: req.url ?? '',
      path: url.pathname,
      query: url.searchParams,
      token,
      blocking: req.method === 'GET' && index !== undefined && index > 0,
      index,
    });
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        if (this.#o.requireToken !== undefined && token !== this.#o.requireToken) {
          throw new SimHttpError(403, 'ACL not found');
        }
        this.#route(req, res, url, Buffer.concat(chunks).toString('utf8'));
      } catch (error) {
        if (error instanceof SimHttpError) this.#text(res, error.status, error.message);
        else this.#text(res, 500, String(error));
      }
    });
  }

  #route(req: IncomingMessage, res: ServerResponse, url: URL, body: string): void {
    const path = url.pathname;
    const method = req.method ?? 'GET';
    const need = (m: string) => {
      if (method !== m) throw new SimHttpError(405, `method ${method} not allowed`);
    };
    const parse = (): unknown => {
      if (body === '') return undefined;
      try {
        return JSON.parse(body);
      } catch {
        throw new SimHttpError(400, 'Request decode failed');
      }
    };
    const tail = (prefix: string) => decodeURIComponent(path.slice(prefix.length));
    if (path === '/v1/agent/service/register') {
      need('PUT');
      this.state.register(parse());
      this.#text(res, 200, '');
      return;
    }
    if (path.startsWith('/v1/agent/service/deregister/')) {
      need('PUT');
      this.state.deregister(tail('/v1/agent/service/deregister/'));
      this.#text(res, 200, '');
      return;
    }
    const ttl = /^\/v1\/agent\/check\/(pass|warn|fail)\/(.+)$/.exec(path);
    if (ttl !== null) {
      need('PUT');
      const status = ttl[1] === 'pass' ? 'passing' : ttl[1] === 'warn' ? 'warning' : 'critical';
      this.state.updateTtl(decodeURIComponent(ttl[2]!), status, url.searchParams.get('note') ?? '');
      this.#text(res, 200, '');
      return;
    }
    if (path.startsWith('/v1/agent/check/update/')) {
      need('PUT');
      const b = parse();
      const o = (typeof b === 'object' && b !== null ? b : {}) as { Status?: unknown; Output?: unknown };
      this.state.updateTtl(
        tail('/v1/agent/check/update/'),
        o.Status,
        typeof o.Output === 'string' ? o.Output : '',
      );
      this.#text(res, 200, '');
      return;
    }
    if (path.startsWith('/v1/health/service/')) {
      need('GET');
      const name = tail('/v1/health/service/');
      this.#read(
        res,
        url,
        true,
        () => this.state.serviceIndex(name),
        () => this.#health(name, url),
      );
      return;
    }
    if (path === '/v1/catalog/services') {
      need('GET');
      this.#read(
        res,
        url,
        false,
        () => this.state.servicesTableIndex(),
        () => this.#catalog(),
      );
      return;
    }
    throw new SimHttpError(404, `no such endpoint ${path}`);
  }

  /** A read endpoint with blocking-query semantics. */
  #read(res: ServerResponse, url: URL, health: boolean, indexOf: () => number, body: () => unknown): void {
    const q = url.searchParams;
    const dc = q.get('dc');
    if (dc !== null && dc !== '' && dc !== this.#o.datacenter) {
      throw new SimHttpError(500, `No path to datacenter`);
    }
    const indexText = q.get('index');
    let minIndex = 0;
    if (indexText !== null) {
      if (!/^\d+$/.test(indexText)) throw new SimHttpError(400, 'Invalid index');
      minIndex = Number(indexText);
    }
    let waitMs = DEFAULT_WAIT_MS;
    const waitText = q.get('wait');
    if (waitText !== null) {
      const parsed = parseDuration(waitText);
      if (parsed === undefined) throw new SimHttpError(400, 'Invalid wait time');
      waitMs = Math.min(MAX_WAIT_MS, parsed);
    }
    const stale = q.has('stale');
    const answer = () => this.#answer(res, health, indexOf, body, stale);
    // An armed fault fails the request at once rather than after the wait (a failing server fails fast).
    const url0 = res.req.url ?? '';
    const faulty = this.#faults.some((f) => f.remaining > 0 && f.match.test(url0));
    if (minIndex === 0 || indexOf() > minIndex || faulty) {
      answer();
      return;
    }
    // Block until the index passes minIndex or wait (+ up to wait/16 jitter, as Consul does) elapses.
    const timeout = waitMs + this.#o.random() * (waitMs / 16);
    const parked: Parked = {
      res,
      indexOf,
      minIndex,
      health,
      answer,
      timer: setTimeout(() => this.#unpark(parked), timeout),
    };
    this.#parked.add(parked);
    res.on('close', () => {
      if (this.#parked.delete(parked)) clearTimeout(parked.timer);
    });
    for (const w of [...this.#parkWaiters]) w();
  }

  #answer(
    res: ServerResponse,
    health: boolean,
    indexOf: () => number,
    body: () => unknown,
    stale: boolean,
  ): void {
    if (res.destroyed) return;
    const path = res.req.url ?? '';
    const armed = this.#faults.find((f) => f.remaining > 0 && f.match.test(path));
    if (armed !== undefined) {
      armed.remaining--;
      this.#faults = this.#faults.filter((f) => f.remaining > 0);
      const fault = armed.fault;
      if (fault.kind === 'http500') {
        this.#text(res, 500, 'rpc error making call: No cluster leader');
        return;
      }
      if (fault.kind === 'reset') {
        res.socket?.destroy();
        return;
      }
      if (fault.kind === 'invalid-json') {
        res.writeHead(200, { 'content-type': 'application/json', 'x-consul-index': String(indexOf()) });
        res.end('[{"Node": {"Node": "sim-node"');
        return;
      }
      if (fault.kind === 'slow') {
        const t = setTimeout(() => {
          this.#slow.delete(t);
          this.#answer(res, health, indexOf, body, stale);
        }, fault.delayMs);
        this.#slow.add(t);
        return;
      }
    }
    const text = JSON.stringify(body());
    res.writeHead(200, {
      'content-type': 'application/json',
      'x-consul-index': String(indexOf()),
      'x-consul-knownleader': 'true',
      'x-consul-lastcontact': '0',
      'x-consul-effective-consistency': stale ? 'stale' : 'leader',
    });
    res.end(text);
  }

  #health(name: string, url: URL): unknown[] {
    const q = url.searchParams;
    const passingText = q.get('passing');
    const passing = passingText !== null && passingText !== 'false' && passingText !== '0';
    const tags = q.getAll('tag');
    const nodeCheck = {
      Node: this.#o.nodeName,
      CheckID: 'serfHealth',
      Name: 'Serf Health Status',
      Status: 'passing',
      Notes: '',
      Output: 'Agent alive and reachable',
      ServiceID: '',
      ServiceName: '',
      ServiceTags: [],
      Type: '',
    };
    const out: unknown[] = [];
    for (const s of this.state.services.values()) {
      if (s.Service !== name) continue;
      if (!tags.every((t) => s.Tags.includes(t))) continue;
      const checks = [...this.state.checks.values()]
        .filter((c) => c.ServiceID === s.ID)
        .map((c) => ({
          Node: this.#o.nodeName,
          CheckID: c.CheckID,
          Name: c.Name,
          Status: c.Status,
          Notes: c.Notes,
          Output: c.Output,
          ServiceID: c.ServiceID,
          ServiceName: c.ServiceName,
          ServiceTags: s.Tags,
          Type: c.Type,
        }));
      const all = [nodeCheck, ...checks];
      if (passing && !all.every((c) => c.Status === 'passing')) continue;
      out.push({
        Node: {
          ID: '00000000-0000-0000-0000-000000000001',
          Node: this.#o.nodeName,
          Address: this.#o.nodeAddress,
          Datacenter: this.#o.datacenter,
          TaggedAddresses: { lan: this.#o.nodeAddress, wan: this.#o.nodeAddress },
          Meta: {},
        },
        Service: { ...s, Meta: { ...s.Meta } },
        Checks: all,
      });
    }
    return out;
  }

  #catalog(): Record<string, string[]> {
    const out: Record<string, string[]> = Object.create(null);
    out.consul = [];
    for (const s of this.state.services.values()) {
      const tags = new Set([...(out[s.Service] ?? []), ...s.Tags]);
      out[s.Service] = [...tags].sort();
    }
    return out;
  }

  #text(res: ServerResponse, status: number, text: string): void {
    if (res.destroyed || res.headersSent) return;
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(text);
  }
}
