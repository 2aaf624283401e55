import { describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { configFromFlags, defaultConfig, describeRetention } from './config.js';
import { redisTarget } from './store/redis-store.js';
import { resolveDataDir } from './data-dir.js';

describe('configFromFlags', () => {
  it('defaults to PROTOCOL.md values on 0.0.0.0:7777', () => {
    const r = configFromFlags({});
    expect(r.ok && r.config).toEqual(defaultConfig());
    expect(r.ok && r.config).toMatchObject({
      host: '0.0.0.0',
      port: 7777,
      ratePerSec: 5,
      rateBurst: 20,
      maxOutputBytes: 4 * 1024 * 1024,
      idlePingMs: 30_000,
      idleTimeoutMs: 75_000,
      historySize: 1000,
      registerTimeoutMs: 30_000,
      maxUnregisteredPerAddress: 64,
      maxUnregistered: 4096,
      nickIntervalMs: 5_000,
    });
  });

  it('parses every flag', () => {
    const r = configFromFlags({
      port: '0',
      host: '127.0.0.1',
      password: 'pw',
      motd: 'hi',
      maxClients: '50',
      history: '200',
      rate: '2.5',
      burst: '4',
      maxOutput: '512k',
      idleTimeout: '10s',
      registerTimeout: '500ms',
      maxWaitingPerAddress: '1000',
      maxWaiting: '9000',
      logLevel: 'warn',
      logFormat: 'json',
    });
    expect(r.ok && r.config).toMatchObject({
      port: 0,
      host: '127.0.0.1',
      password: 'pw',
      motd: 'hi',
      maxClients: 50,
      registerTimeoutMs: 500,
      maxUnregisteredPerAddress: 1000,
      maxUnregistered: 9000,
      historySize: 200,
      ratePerSec: 2.5,
      rateBurst: 4,
      maxOutputBytes: 512 * 1024,
      idleTimeoutMs: 10_000,
      idlePingMs: 4_000,
      logLevel: 'warn',
      logFormat: 'json',
    });
  });

  it.each([
    [{ port: '70000' }, '--port'],
    [{ port: 'abc' }, '--port'],
    [{ port: '-1' }, '--port'],
    [{ maxClients: '0' }, '--max-clients'],
    [{ history: '1.5' }, '--history'],
    [{ rate: '0' }, '--rate'],
    [{ burst: 'x' }, '--burst'],
    [{ maxOutput: '4 parsecs' }, '--max-output'],
    [{ idleTimeout: 'soon' }, '--idle-timeout'],
    [{ logLevel: 'loud' }, '--log-level'],
    [{ logFormat: 'xml' }, '--log-format'],
    [{ host: ' ' }, '--host'],
  ])('refuses %o with a message naming the flag', (flags, flag) => {
    const r = configFromFlags(flags);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toContain(flag);
  });
});

describe('--retain', () => {
  const retain = (value: string) => {
    const r = configFromFlags({ retain: value });
    return r.ok ? r.config.retention : r.message;
  };

  it('takes a count, an age, or both, and keeps the newest 100,000 events by default', () => {
    expect(defaultConfig().retention).toEqual({ count: 100_000 });
    expect(retain('5000')).toEqual({ count: 5000 });
    expect(retain('30d')).toEqual({ ageMs: 30 * 86_400_000 });
    expect(retain('90m')).toEqual({ ageMs: 90 * 60_000 });
    expect(retain('100000, 12h')).toEqual({ count: 100_000, ageMs: 12 * 3_600_000 });
  });

  it('refuses anything else with one line saying what it takes', () => {
    for (const bad of ['', '0', 'forever', '30x', '10,20', '1d,2d', '-5'])
      expect(retain(bad)).toMatch(/^--retain takes a number of events, an age like 30d/);
  });

  it('reads back as a sentence for the start-up line', () => {
    expect(describeRetention({ count: 100_000 })).toBe('the newest 100000 events');
    expect(describeRetention({ ageMs: 86_400_000 * 30 })).toBe('events of the last 30d');
    expect(describeRetention({ count: 5, ageMs: 5_400_000 })).toBe(
      'the newest 5 events, none older than 90m',
    );
  });
});

describe('--redis', () => {
  it('takes redis://, rediss:// and unix: URLs', () => {
    for (const url of ['redis://127.0.0.1:6379', 'rediss://u:p@h:6380/1', 'unix:/tmp/r.sock'])
      expect(configFromFlags({ redis: url })).toMatchObject({ ok: true, config: { redis: url } });
    expect(redisTarget('unix:/tmp/r.sock')).toEqual({
      socket: { path: '/tmp/r.sock', tls: false },
    });
    expect(redisTarget('unix:///tmp/r.sock')).toEqual({
      socket: { path: '/tmp/r.sock', tls: false },
    });
    expect(redisTarget('redis://h:1')).toEqual({ url: 'redis://h:1' });
  });

  it('refuses anything else, and an age to retain (a stream is trimmed by count)', () => {
    for (const url of ['127.0.0.1:6379', 'http://h', 'redis://', ''])
      expect(configFromFlags({ redis: url })).toMatchObject({
        ok: false,
        message: expect.stringContaining('--redis takes'),
      });
    expect(configFromFlags({ redis: 'redis://h:1', retain: '30d' })).toMatchObject({ ok: false });
    expect(configFromFlags({ redis: 'redis://h:1', retain: '500' })).toMatchObject({ ok: true });
  });
});

describe('resolveDataDir', () => {
  it('takes --data, else $XDG_STATE_HOME/ciao, else ~/.local/state/ciao', () => {
    expect(resolveDataDir('/srv/chat', {})).toBe('/srv/chat');
    expect(resolveDataDir('rel', {})).toBe(resolve('rel'));
    expect(resolveDataDir(undefined, { XDG_STATE_HOME: '/st', HOME: '/h' })).toBe('/st/ciao');
    // The XDG rules: a relative XDG_STATE_HOME is ignored.
    expect(resolveDataDir(undefined, { XDG_STATE_HOME: 'st', HOME: '/h' })).toBe(
      '/h/.local/state/ciao',
    );
    expect(resolveDataDir(undefined, { HOME: '/h' })).toBe('/h/.local/state/ciao');
  });
});
