import { describe, expect, it } from 'vitest';
import {
  decideTrust,
  formatKnownServer,
  knownServersPath,
  parseKnownServers,
  pinnedFingerprint,
  serverKey,
} from './known-servers.js';

const A = Array.from({ length: 32 }, (_, i) => (i + 0xa0).toString(16).toUpperCase()).join(':');
const B = Array.from({ length: 32 }, (_, i) => (i + 0x10).toString(16).toUpperCase()).join(':');

describe('known_servers lines', () => {
  it('reads back what it writes, for names, IPv4 and IPv6', () => {
    const entries = [
      { server: serverKey('Chat.Example', 7777), fingerprint: A },
      { server: serverKey('127.0.0.1', 9000), fingerprint: B },
      { server: serverKey('::1', 7777), fingerprint: A },
    ];
    const text = entries.map(formatKnownServer).join('');
    expect(text).toBe(
      `chat.example:7777 sha256 ${A}\n127.0.0.1:9000 sha256 ${B}\n[::1]:7777 sha256 ${A}\n`,
    );
    expect(parseKnownServers(text)).toEqual(entries);
  });

  it('skips comments, blank and malformed lines, and accepts lower-case hex', () => {
    const text = [
      '# pinned by ciao',
      '',
      `a:1 sha256 ${A.toLowerCase()}`,
      `b:1 md5 ${A}`,
      'c:1 sha256 AB:CD',
      `d:1 sha256 ${A} extra`,
      `  e:1   sha256   ${B}  `,
    ].join('\n');
    expect(parseKnownServers(text)).toEqual([
      { server: 'a:1', fingerprint: A },
      { server: 'e:1', fingerprint: B },
    ]);
  });

  it('finds the pin of a server by host and port; the last line wins', () => {
    const entries = parseKnownServers(`h:1 sha256 ${A}\nh:2 sha256 ${B}\nh:1 sha256 ${B}\n`);
    expect(pinnedFingerprint(entries, 'h:1')).toBe(B);
    expect(pinnedFingerprint(entries, 'h:2')).toBe(B);
    expect(pinnedFingerprint(entries, 'h:3')).toBeUndefined();
  });
});

describe('decideTrust', () => {
  it('asks on first use', () => {
    expect(decideTrust({ fingerprint: A, caVerified: false }, undefined)).toEqual({
      kind: 'unknown',
      fingerprint: A,
    });
  });

  it('trusts a matching pin without asking', () => {
    expect(decideTrust({ fingerprint: A, caVerified: false }, A)).toEqual({
      kind: 'trusted',
      by: 'pin',
    });
  });

  it('refuses a certificate that differs from the pin', () => {
    expect(decideTrust({ fingerprint: B, caVerified: false }, A)).toEqual({
      kind: 'mismatch',
      fingerprint: B,
      pinned: A,
    });
  });

  it('trusts a certificate the CAs verify for the host, pinned or not', () => {
    for (const pinned of [undefined, A, B])
      expect(decideTrust({ fingerprint: B, caVerified: true }, pinned)).toEqual({
        kind: 'trusted',
        by: 'ca',
      });
  });
});

describe('knownServersPath', () => {
  it('honours XDG_CONFIG_HOME, else ~/.config', () => {
    expect(knownServersPath({ XDG_CONFIG_HOME: '/cfg' }, '/h')).toBe('/cfg/ciao/known_servers');
    expect(knownServersPath({}, '/h')).toBe('/h/.config/ciao/known_servers');
    expect(knownServersPath({ XDG_CONFIG_HOME: 'rel' }, '/h')).toBe(
      '/h/.config/ciao/known_servers',
    );
  });
});
