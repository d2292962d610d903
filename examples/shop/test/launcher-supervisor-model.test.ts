// Model-based test of the supervisor's per-child state machine (starting → running → down → running …) with
// fake processes, so a thousand random command sequences run in seconds. The real-process behaviour is in
// launcher-supervisor.test.ts.
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Supervisor } from '../src/launcher/supervisor.js';

class FakeChild extends EventEmitter {
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  alive = true;
  constructor(
    readonly pid: number,
    readonly env: Record<string, string | undefined>,
  ) {
    super();
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): boolean {
    if (!this.alive) return false;
    this.exit(null, signal);
    return true;
  }

  /** Like a real process: the exit is observed on a later turn, after the pipes close. */
  exit(code: number | null, signal: NodeJS.Signals | null): void {
    if (!this.alive) return;
    this.alive = false;
    setImmediate(() => {
      this.stdout.end();
      this.stderr.end();
      this.emit('exit', code, signal);
      this.emit('close', code, signal);
    });
  }
}

/** Fake spawn: each child says a line and reports ready on the next turn, on PORT or a fresh port. */
function fakeWorld() {
  const children: FakeChild[] = [];
  let nextPid = 1000;
  let nextPort = 20_000;
  const spawn = (_cmd: string, _args: readonly string[], options: SpawnOptions): ChildProcess => {
    const env = (options.env ?? {}) as Record<string, string | undefined>;
    const child = new FakeChild(nextPid++, env);
    children.push(child);
    const port = env.PORT !== undefined && env.PORT !== '0' ? Number(env.PORT) : nextPort++;
    setImmediate(() => {
      if (!child.alive) return;
      child.stdout.write(`listening on ${port}\n`);
      child.emit('message', { type: 'ready', port });
    });
    return child as unknown as ChildProcess;
  };
  return { children, spawn, live: () => children.filter((c) => c.alive) };
}

interface Model {
  /** Per started id: whether it should be running, and the port it keeps across restarts. */
  readonly children: Map<string, { up: boolean; port: number | undefined }>;
}

interface Real {
  readonly supervisor: Supervisor;
  readonly world: ReturnType<typeof fakeWorld>;
}

const IDS = ['catalog-1', 'cart-1', 'pricing-1'] as const;

async function turns(until: () => boolean, max = 200): Promise<void> {
  for (let i = 0; i < max && !until(); i++) await new Promise((r) => setTimeout(r, 0));
}

function checkInvariants(m: Model, r: Real): void {
  const up = [...m.children].filter(([, c]) => c.up).map(([id]) => id);
  expect(
    r.supervisor
      .children()
      .map((c) => c.id)
      .sort(),
  ).toEqual(up.sort());
  for (const [id, c] of m.children) {
    const info = r.supervisor.get(id);
    if (c.up) expect(info?.port).toBe(c.port);
    else expect(info).toBeUndefined();
  }
  // Exactly one live process per running child, none for the others.
  expect(r.world.live().length).toBe(up.length);
  expect(r.supervisor.pids()).toEqual(r.world.children.map((c) => c.pid));
}

class Start implements fc.AsyncCommand<Model, Real> {
  constructor(readonly id: string) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    if (m.children.has(this.id)) {
      await expect(r.supervisor.start({ id: this.id, service: 's', entry: 'x', env: {} })).rejects.toThrow(
        /already started/,
      );
    } else {
      const info = await r.supervisor.start({ id: this.id, service: 's', entry: 'x', env: { PORT: '0' } });
      expect(r.world.children.at(-1)?.env.INSTANCE_ID).toBe(this.id);
      m.children.set(this.id, { up: true, port: info.port });
    }
    checkInvariants(m, r);
  }
  toString = () => `start(${this.id})`;
}

class Kill implements fc.AsyncCommand<Model, Real> {
  constructor(readonly id: string) {}
  check = (m: Readonly<Model>) => m.children.has(this.id);
  async run(m: Model, r: Real): Promise<void> {
    await r.supervisor.kill(this.id);
    m.children.get(this.id)!.up = false;
    checkInvariants(m, r);
  }
  toString = () => `kill(${this.id})`;
}

class Restart implements fc.AsyncCommand<Model, Real> {
  constructor(readonly id: string) {}
  check = (m: Readonly<Model>) => m.children.has(this.id);
  async run(m: Model, r: Real): Promise<void> {
    const c = m.children.get(this.id)!;
    if (c.up) {
      await expect(r.supervisor.restart(this.id)).rejects.toThrow(/not down/);
    } else {
      const info = await r.supervisor.restart(this.id);
      expect(info.port).toBe(c.port); // the same port again
      expect(r.world.children.at(-1)?.env.PORT).toBe(String(c.port));
      c.up = true;
    }
    checkInvariants(m, r);
  }
  toString = () => `restart(${this.id})`;
}

/** The process dies without being asked: the supervisor must bring it back on the same port. */
class Crash implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly id: string,
    readonly code: number,
  ) {}
  check = (m: Readonly<Model>) => m.children.get(this.id)?.up === true;
  async run(m: Model, r: Real): Promise<void> {
    const before = r.supervisor.get(this.id)!;
    const proc = r.world.children.find((c) => c.pid === before.pid)!;
    proc.exit(this.code, null);
    await turns(() => {
      const now = r.supervisor.get(this.id);
      return now !== undefined && now.pid !== before.pid;
    });
    expect(r.supervisor.get(this.id)?.pid).not.toBe(before.pid);
    checkInvariants(m, r);
  }
  toString = () => `crash(${this.id}, ${this.code})`;
}

describe('Supervisor (model-based, fake processes)', () => {
  it('matches the model: start, kill, restart on the same port, crash → restarted; stop() leaves nothing', async () => {
    const id = fc.constantFrom(...IDS);
    const commands = fc.commands(
      [
        id.map((i) => new Start(i)),
        id.map((i) => new Kill(i)),
        id.map((i) => new Restart(i)),
        fc.tuple(id, fc.integer({ min: 0, max: 3 })).map(([i, c]) => new Crash(i, c)),
      ],
      { maxCommands: 25 },
    );
    await fc.assert(
      fc.asyncProperty(commands, async (cmds) => {
        const world = fakeWorld();
        const supervisor = new Supervisor({
          spawn: world.spawn,
          restartDelayMs: 0,
          maxRestarts: 1_000,
          env: {},
        });
        await fc.asyncModelRun(() => ({ model: { children: new Map() }, real: { supervisor, world } }), cmds);
        await supervisor.stop();
        expect(world.live()).toEqual([]);
        expect(supervisor.children()).toEqual([]);
      }),
      { seed: 9_261_126, numRuns: 1_000 },
    );
  });
});
