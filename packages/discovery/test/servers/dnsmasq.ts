import type { ChildProcess } from 'node:child_process';
import { promises as dns } from 'node:dns';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBinary } from './binaries.js';
import { killChild, spawn } from './child.js';
import { freePort } from './free-port.js';

export interface SrvEntry {
  name: string;
  target: string;
  port: number;
  priority?: number;
  weight?: number;
}

export interface DnsZone {
  srv?: readonly SrvEntry[];
  /** name → addresses (IPv4 and/or IPv6). */
  hosts?: Readonly<Record<string, readonly string[]>>;
  /** TTL in seconds of the local answers (`--local-ttl`). Default 1. */
  ttl?: number;
}

/** The domain answered authoritatively: unknown names under it get NXDOMAIN, not REFUSED. */
export const LOCAL_DOMAIN = 'cluster.local';

/**
 * A real dnsmasq on 127.0.0.1 and a free port, serving the SRV and address records of a zone the
 * test writes. dnsmasq re-reads hosts files on SIGHUP but never the `--srv-host` options of its
 * config file, so `setZone` rewrites the file and restarts dnsmasq on the same port (during the
 * restart queries fail, as they would against a real DNS server going through a deploy).
 */
export class Dnsmasq {
  readonly #bin: string;
  readonly #dir: string;
  readonly #conf: string;
  #port = 0;
  #child: ChildProcess | undefined;
  #zone: DnsZone;

  private constructor(bin: string, zone: DnsZone) {
    this.#bin = bin;
    this.#dir = mkdtempSync(join(tmpdir(), 'bw-dnsmasq-'));
    this.#conf = join(this.#dir, 'dnsmasq.conf');
    this.#zone = zone;
  }

  static async start(zone: DnsZone): Promise<Dnsmasq> {
    const server = new Dnsmasq(findBinary('dnsmasq', 'dnsmasq-base'), zone);
    for (let attempt = 1; ; attempt++) {
      server.#port = await freePort({ udp: true });
      try {
        await server.#spawn();
        return server;
      } catch (error) {
        if (attempt >= 5) {
          await server.close();
          throw error;
        }
      }
    }
  }

  get port(): number {
    return this.#port;
  }

  /** `127.0.0.1:<port>`, for `servers`. */
  get address(): string {
    return `127.0.0.1:${this.#port}`;
  }

  get running(): boolean {
    return this.#child !== undefined;
  }

  /** Replaces the zone and restarts dnsmasq on the same port. */
  async setZone(zone: DnsZone): Promise<void> {
    this.#zone = zone;
    await this.kill();
    await this.#spawn();
  }

  /** Stops answering (SIGKILL): queries are refused from now on. */
  async kill(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (child !== undefined) await killChild(child);
  }

  /** Starts again on the same port with the current zone. */
  async restart(): Promise<void> {
    await this.kill();
    await this.#spawn();
  }

  async close(): Promise<void> {
    await this.kill();
    rmSync(this.#dir, { recursive: true, force: true });
  }

  #writeConfig(): void {
    const lines: string[] = [];
    for (const s of this.#zone.srv ?? []) {
      lines.push(`srv-host=${s.name},${s.target},${s.port},${s.priority ?? 0},${s.weight ?? 0}`);
    }
    for (const [name, addresses] of Object.entries(this.#zone.hosts ?? {})) {
      lines.push(`host-record=${name},${addresses.join(',')}`);
    }
    writeFileSync(this.#conf, `${lines.join('\n')}\n`);
  }

  async #spawn(): Promise<void> {
    this.#writeConfig();
    const args = [
      '--no-daemon',
      '--no-resolv',
      '--no-hosts',
      '--no-poll',
      `--port=${this.#port}`,
      '--listen-address=127.0.0.1',
      '--bind-interfaces',
      `--conf-file=${this.#conf}`,
      `--local=/${LOCAL_DOMAIN}/`,
      `--local-ttl=${this.#zone.ttl ?? 1}`,
      '--cache-size=0',
      '--log-facility=-',
    ];
    // As root dnsmasq would drop to "nobody"; it needs no privileges on a high port.
    if (process.getuid?.() === 0) args.push('--user=root');
    const child = spawn(this.#bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
    this.#child = child;
    // Ready when it answers: poll with a deadline (a query for the zone's apex SOA-less name).
    const resolver = new dns.Resolver({ timeout: 200, tries: 1 });
    resolver.setServers([this.address]);
    const deadline = performance.now() + 10_000;
    for (;;) {
      if (child.exitCode !== null) {
        this.#child = undefined;
        throw new Error(`dnsmasq exited (${child.exitCode}) on port ${this.#port}:\n${output}`);
      }
      try {
        await resolver.resolve4(`ready.${LOCAL_DOMAIN}`);
        return;
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code === 'ENOTFOUND' || code === 'ENODATA') return;
      }
      if (performance.now() > deadline) {
        await this.kill();
        throw new Error(`dnsmasq did not answer on port ${this.#port} in time:\n${output}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}
