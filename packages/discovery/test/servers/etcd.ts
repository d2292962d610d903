import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBinary } from './binaries.js';
import { killChild, spawn } from './child.js';
import { freePort } from './free-port.js';

function healthy(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    // agent: false, so no keep-alive socket outlives the check (tests count handles).
    const req = get({ host: '127.0.0.1', port, path: '/health', agent: false, timeout: 1_000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve(res.statusCode === 200 && body.includes('"health":"true"')));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

/**
 * A real single-member etcd (Debian's etcd-server) on 127.0.0.1 and free ports, in a temporary data
 * directory. `kill()` stops it hard (SIGKILL); `restart()` starts it again on the same ports and the
 * same data, as after a crash.
 */
export class EtcdServer {
  readonly #bin: string;
  readonly #dir: string;
  #clientPort = 0;
  #peerPort = 0;
  #child: ChildProcess | undefined;

  private constructor(bin: string) {
    this.#bin = bin;
    this.#dir = mkdtempSync(join(tmpdir(), 'bw-etcd-'));
  }

  static async start(): Promise<EtcdServer> {
    const server = new EtcdServer(findBinary('etcd', 'etcd-server'));
    for (let attempt = 1; ; attempt++) {
      server.#clientPort = await freePort();
      server.#peerPort = await freePort();
      if (server.#peerPort === server.#clientPort) continue;
      try {
        await server.#spawn();
        return server;
      } catch (error) {
        if (attempt >= 4) {
          await server.close();
          throw error;
        }
      }
    }
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.#clientPort}`;
  }

  async kill(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (child !== undefined) await killChild(child);
  }

  async restart(): Promise<void> {
    await this.kill();
    await this.#spawn();
  }

  async close(): Promise<void> {
    await this.kill();
    rmSync(this.#dir, { recursive: true, force: true });
  }

  async #spawn(): Promise<void> {
    const client = `http://127.0.0.1:${this.#clientPort}`;
    const peer = `http://127.0.0.1:${this.#peerPort}`;
    const child = spawn(
      this.#bin,
      [
        '--name=default',
        `--data-dir=${join(this.#dir, 'data')}`,
        `--listen-client-urls=${client}`,
        `--advertise-client-urls=${client}`,
        `--listen-peer-urls=${peer}`,
        `--initial-advertise-peer-urls=${peer}`,
        `--initial-cluster=default=${peer}`,
        '--logger=zap',
        '--log-outputs=stderr',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ETCD_UNSUPPORTED_ARCH: process.arch } },
    );
    let output = '';
    child.stderr?.on('data', (c: Buffer) => {
      output = (output + c.toString()).slice(-20_000);
    });
    this.#child = child;
    const deadline = performance.now() + 20_000;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        this.#child = undefined;
        throw new Error(
          `etcd exited (${child.exitCode}) on ports ${this.#clientPort}/${this.#peerPort}:\n${output}`,
        );
      }
      if (await healthy(this.#clientPort)) return;
      if (performance.now() > deadline) {
        await this.kill();
        throw new Error(`etcd was not healthy in time:\n${output}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
