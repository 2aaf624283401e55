import { describe, expect, it } from 'vitest';
import { configFromFlags, defaultConfig } from './config.js';

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
      logLevel: 'warn',
      logFormat: 'json',
    });
    expect(r.ok && r.config).toMatchObject({
      port: 0,
      host: '127.0.0.1',
      password: 'pw',
      motd: 'hi',
      maxClients: 50,
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
