import { describe, expect, it } from 'vitest';
import { DEFAULT_ARGS, parseDuration, parseLauncherArgs, UsageError } from '../src/launcher/cli-args.js';

describe('parseDuration', () => {
  it.each([
    ['30s', 30_000],
    ['2m', 120_000],
    ['1500ms', 1_500],
    ['1.5m', 90_000],
    ['8', 8_000],
    [' 45s ', 45_000],
  ])('%s → %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', 's', '-1s', '10h', '1e3', '0s', '0.1ms', 'abc'])('rejects %j naming the option', (text) => {
    expect(() => parseDuration(text)).toThrow(UsageError);
    expect(() => parseDuration(text)).toThrow(/--duration/);
  });
});

describe('parseLauncherArgs', () => {
  it('has the documented defaults', () => {
    expect(parseLauncherArgs([])).toEqual({
      durationMs: 60_000,
      rate: 100,
      port: 8080,
      instances: 3,
      chaos: true,
      exit: false,
      seed: 1,
      verbose: false,
      help: false,
    });
    expect(Object.isFrozen(DEFAULT_ARGS)).toBe(true);
  });

  it('reads every option', () => {
    const args = parseLauncherArgs([
      '--duration',
      '8s',
      '--rate=40',
      '--port',
      '0',
      '--instances',
      '2',
      '--no-chaos',
      '--exit',
      '--seed',
      '7',
      '--verbose',
    ]);
    expect(args).toEqual({
      durationMs: 8_000,
      rate: 40,
      port: 0,
      instances: 2,
      chaos: false,
      exit: true,
      seed: 7,
      verbose: true,
      help: false,
    });
    expect(parseLauncherArgs(['-h']).help).toBe(true);
    expect(parseLauncherArgs(['--rate', '2.5']).rate).toBe(2.5);
  });

  it.each([
    [['--rate', '0'], /--rate must be a number in \(0, 10000\], got "0"/],
    [['--rate', 'fast'], /--rate/],
    [['--port', '70000'], /--port must be an integer in \[0, 65535\]/],
    [['--port', '-1'], /--port/],
    [['--instances', '0'], /--instances must be an integer in \[1, 9\]/],
    [['--instances', '2.5'], /--instances/],
    [['--seed', 'x'], /--seed/],
    [['--duration', '1h'], /--duration must look like 30s/],
    [['--frobnicate'], /Unknown option '--frobnicate'/],
    [['--rate'], /--rate/],
    [['extra'], /positional/],
  ])('rejects %j with a UsageError naming the problem', (argv, message) => {
    expect(() => parseLauncherArgs(argv)).toThrow(UsageError);
    expect(() => parseLauncherArgs(argv)).toThrow(message);
  });
});
