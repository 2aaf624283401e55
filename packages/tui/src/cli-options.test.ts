import { describe, expect, it } from 'vitest';
import type { RawCliFlags } from './cli-options.js';
import { parseCliOptions, unknownFlag } from './cli-options.js';

const flags = (over: Partial<RawCliFlags> = {}): RawCliFlags => ({
  host: [],
  name: '',
  users: true,
  altScreen: true,
  ...over,
});

describe('parseCliOptions', () => {
  it('takes the defaults: 127.0.0.1:7777, no name', () => {
    expect(parseCliOptions(flags(), [])).toEqual({
      ok: true,
      options: {
        hosts: [{ host: '127.0.0.1', port: 7777 }],
        name: '',
        showUsers: true,
        altScreen: true,
        tls: false,
        bell: 'mentions',
      },
    });
  });

  it('takes --tls', () => {
    expect(parseCliOptions(flags({ tls: true }), [])).toMatchObject({
      ok: true,
      options: { tls: true },
    });
  });

  it('takes --bell off|mentions|all and refuses anything else', () => {
    expect(parseCliOptions(flags({ bell: 'off' }), [])).toMatchObject({ options: { bell: 'off' } });
    expect(parseCliOptions(flags({ bell: 'ALL' }), [])).toMatchObject({ options: { bell: 'all' } });
    expect(parseCliOptions(flags({ bell: 'loud' }), [])).toMatchObject({
      ok: false,
      message: expect.stringContaining('--bell'),
    });
  });

  it('refuses a stray argument, pointing at --help', () => {
    const parsed = parseCliOptions(flags(), ['127.0.0.1']);
    expect(parsed).toMatchObject({ ok: false, message: expect.stringContaining('--help') });
  });

  it('splits HOST:PORT and [v6]:PORT', () => {
    const hostsOf = (...host: string[]) => {
      const parsed = parseCliOptions(flags({ host }), []);
      return parsed.ok ? parsed.options.hosts : parsed.message;
    };
    expect(hostsOf('127.0.0.1:7000')).toEqual([{ host: '127.0.0.1', port: 7000 }]);
    expect(hostsOf('[::1]:7001')).toEqual([{ host: '::1', port: 7001 }]);
    expect(hostsOf('::1')).toEqual([{ host: '::1', port: 7777 }]);
    expect(hostsOf('[::1]')).toEqual([{ host: '::1', port: 7777 }]);
  });

  it('takes a list of hosts, comma-separated or repeated, in order, --port for those without one', () => {
    const hostsOf = (host: string[], port?: string) => {
      const parsed = parseCliOptions(flags({ host, ...(port === undefined ? {} : { port }) }), []);
      return parsed.ok ? parsed.options.hosts : parsed.message;
    };
    expect(hostsOf(['a:7000,b:7001'])).toEqual([
      { host: 'a', port: 7000 },
      { host: 'b', port: 7001 },
    ]);
    expect(hostsOf(['a:7000', 'b, [::1]:7002'], '7100')).toEqual([
      { host: 'a', port: 7000 },
      { host: 'b', port: 7100 },
      { host: '::1', port: 7002 },
    ]);
    expect(hostsOf(['a,b'])).toEqual([
      { host: 'a', port: 7777 },
      { host: 'b', port: 7777 },
    ]);
    expect(hostsOf(['a:7000,', 'b'])).toMatch(/empty entry/);
    expect(hostsOf(['a:7000,A:7000'])).toBe('--host lists A:7000 twice');
    expect(hostsOf(['a', 'a:7777'])).toMatch(/twice/);
    expect(hostsOf(['a:0,b'])).toMatch(/from 1 to 65535/);
    expect(hostsOf(['a,b'], 'x')).toMatch(/--port must be a number/);
  });

  it('refuses a HOST:PORT that disagrees with --port, and bad ports', () => {
    expect(parseCliOptions(flags({ host: ['h:7000'], port: '7001' }), [])).toMatchObject({
      ok: false,
      message: expect.stringContaining('disagree'),
    });
    expect(parseCliOptions(flags({ host: ['h:7000'], port: '7000' }), [])).toMatchObject({
      ok: true,
    });
    for (const port of ['0', '65536', 'abc', '7e3', ''])
      expect(parseCliOptions(flags({ port }), [])).toMatchObject({ ok: false });
    expect(parseCliOptions(flags({ host: ['h:'] }), [])).toMatchObject({ ok: false });
    expect(parseCliOptions(flags({ host: [''] }), [])).toMatchObject({
      ok: false,
      message: expect.stringContaining('needs an address'),
    });
  });

  it('checks the name as the server would', () => {
    expect(parseCliOptions(flags({ name: ' ann ' }), [])).toMatchObject({
      ok: true,
      options: { name: 'ann' },
    });
    expect(parseCliOptions(flags({ name: 'bad name' }), [])).toMatchObject({
      ok: false,
      message: expect.stringContaining('bad name'),
    });
  });
});

describe('unknownFlag', () => {
  it('names the first flag that is not known, as it was typed', () => {
    const known = ['host', 'port', 'altScreen'];
    expect(unknownFlag({ host: 'h', port: '1' }, known)).toBeUndefined();
    expect(unknownFlag({ host: 'h', fooBar: true }, known)).toBe('--foo-bar');
    expect(unknownFlag({ x: true }, known)).toBe('-x');
  });
});
