import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  isInvalidConfigError,
  isNoEndpointsError,
  isUnknownServiceError,
  StaticRegistry,
} from '@breakwater/discovery';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ids, Recorder } from './helpers.js';

describe('StaticRegistry', () => {
  it('resolves from code; unknown and empty services reject with their codes', async () => {
    const r = new StaticRegistry({ api: ['10.0.0.1:80', { host: '10.0.0.2', port: 80, id: 'b' }], none: [] });
    expect(ids(await r.resolve('api'))).toEqual(['10.0.0.1:80', 'b']);
    await expect(r.resolve('nope')).rejects.toSatisfy(isUnknownServiceError);
    await expect(r.resolve('none')).rejects.toSatisfy(isNoEndpointsError);
    await r.close();
  });

  it('reads the string format from an environment variable', async () => {
    const r = StaticRegistry.fromEnv('SVC', {
      SVC: 'catalog=127.0.0.1:7001,127.0.0.1:7002;pricing=[::1]:7001',
    });
    expect(r.services()).toEqual(['catalog', 'pricing']);
    expect((await r.resolve('pricing'))[0]).toMatchObject({ host: '::1', port: 7001 });
    await r.close();
    expect(() => StaticRegistry.fromEnv('MISSING', {})).toThrow(expect.toSatisfy(isInvalidConfigError));
    expect(() => StaticRegistry.fromEnv('SVC', { SVC: 'catalog' })).toThrow(/SVC/);
  });

  it('watch: current snapshot at once, one event per real change, errors for unknown services', async () => {
    const r = new StaticRegistry({ api: ['10.0.0.1:80'] });
    const rec = new Recorder(r, 'api');
    await rec.until((s) => s.length === 1);
    r.replace({ api: ['10.0.0.1:80'] }); // no change: no event
    r.replace({ api: ['10.0.0.1:80', '10.0.0.2:80'] });
    await rec.until((s) => s.length === 2);
    expect(rec.events.map((e) => e.type)).toEqual(['endpoints', 'endpoints']);
    const unknown = new Recorder(r, 'web');
    expect(isUnknownServiceError(await unknown.nextError())).toBe(true);
    // api vanishes from the list: an error, while its last snapshot stays in force.
    const apiGone = rec.next((ev) => ev.type === 'error');
    r.replace({ web: ['10.0.0.3:80'] });
    await unknown.until((s) => s.length === 1);
    const e = await apiGone;
    expect(e.type === 'error' && e.endpoints).toHaveLength(2);
    await r.close();
  });

  it('a disposer removes only its own listener', async () => {
    const r = new StaticRegistry({ api: ['10.0.0.1:80'] });
    const a = new Recorder(r, 'api');
    const b = new Recorder(r, 'api');
    await a.until(() => true);
    await b.until(() => true);
    a.dispose();
    a.dispose();
    r.replace({ api: ['10.0.0.2:80'] });
    await b.until((s) => s[0]!.host === '10.0.0.2');
    expect(a.snapshots).toHaveLength(1);
    await r.close();
  });
});

describe('StaticRegistry.fromFile', () => {
  let dir: string;
  let file: string;
  const write = (services: unknown) => {
    // Write then rename, as editors and config managers do.
    writeFileSync(`${file}.tmp`, typeof services === 'string' ? services : JSON.stringify({ services }));
    renameSync(`${file}.tmp`, file);
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'bw-static-'));
    file = join(dir, 'services.json');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('re-reads the file when it changes; a bad version keeps the last good one and reports an error', async () => {
    write({ api: ['10.0.0.1:80'] });
    const r = await StaticRegistry.fromFile(file, { debounceMs: 5 });
    try {
      const rec = new Recorder(r, 'api');
      await rec.until((s) => s.length === 1);
      write({ api: ['10.0.0.1:80', '10.0.0.2:80'] });
      await rec.until((s) => s.length === 2);
      write('{ "services": { "api": [ { "host": "x", "port": -1 } ] } }');
      const error = await rec.nextError();
      expect(isInvalidConfigError(error)).toBe(true);
      expect(ids(await r.resolve('api'))).toEqual(['10.0.0.1:80', '10.0.0.2:80']);
      write({ api: ['10.0.0.3:80'] });
      expect(ids(await rec.until((s) => s.length === 1 && s[0]!.host === '10.0.0.3'))).toEqual([
        '10.0.0.3:80',
      ]);
    } finally {
      await r.close();
    }
  });

  it('rejects a bad initial file', async () => {
    write('{"services": 3}');
    await expect(StaticRegistry.fromFile(file)).rejects.toSatisfy(isInvalidConfigError);
  });

  it('close() removes the file watcher', async () => {
    write({ api: ['10.0.0.1:80'] });
    const before = process.getActiveResourcesInfo().filter((t) => t === 'FSEvent').length;
    const r = await StaticRegistry.fromFile(file);
    await r.close();
    expect(process.getActiveResourcesInfo().filter((t) => t === 'FSEvent').length).toBe(before);
  });
});
