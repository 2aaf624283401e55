import { describe, expect, it } from 'vitest';
import { clearTextRefusal, isLoopback, refusesClearText, transportOf } from './first-byte.js';

describe('transportOf', () => {
  it('reads a TLS handshake record (0x16) as TLS and anything else as clear text', () => {
    expect(transportOf(Uint8Array.of(0x16, 0x03, 0x01))).toBe('tls');
    expect(transportOf(Buffer.from('{"type":"hello"}'))).toBe('clear');
    expect(transportOf(Buffer.from('alice\n'))).toBe('clear');
    expect(transportOf(Buffer.from(' \u0016'))).toBe('clear');
  });
});

describe('refusesClearText', () => {
  it('refuses clear text from other machines only with --require-tls', () => {
    expect(refusesClearText(true, '192.0.2.7')).toBe(true);
    expect(refusesClearText(true, '::ffff:10.1.2.3')).toBe(true);
    expect(refusesClearText(true, '2001:db8::1')).toBe(true);
    expect(refusesClearText(true, undefined)).toBe(true);
    expect(refusesClearText(false, '192.0.2.7')).toBe(false);
  });

  it('keeps loopback open (127.0.0.0/8, ::1, IPv4-mapped)', () => {
    for (const a of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1'])
      expect([a, isLoopback(a)]).toEqual([a, true]);
    for (const a of ['128.0.0.1', '10.0.0.127', '::2', '::ffff:10.0.0.1', 'localhost'])
      expect([a, isLoopback(a)]).toEqual([a, false]);
    expect(refusesClearText(true, '127.0.0.1')).toBe(false);
  });
});

describe('clearTextRefusal', () => {
  it('tells a JSON client with one fatal tls_required error', () => {
    const out = clearTextRefusal(Buffer.from(' {"type":"hello"'));
    expect(out.endsWith('\n') && out.indexOf('\n') === out.length - 1).toBe(true);
    expect(JSON.parse(out)).toEqual({
      type: 'error',
      code: 'tls_required',
      message: expect.stringContaining('requires TLS') as unknown,
      fatal: true,
    });
  });

  it('tells a person (or a silent connection) with one text line', () => {
    const at = () => new Date(2026, 0, 1, 9, 5).getTime();
    for (const first of [Buffer.from('alice\n'), undefined])
      expect(clearTextRefusal(first, at)).toBe(
        '[09:05] ! this server requires TLS: connect with pnpm tui --tls, ncat --ssl or openssl s_client\n',
      );
  });
});
