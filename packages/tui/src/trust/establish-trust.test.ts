import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:tls';
import type { Server } from 'node:tls';
import { generate } from 'selfsigned';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ConnStatus } from '../state/chat-reducer.js';
import { Connection } from '../net/connection.js';
import { waitFor } from '../test/wait-for.js';
import { establishTrust, establishTrustAll, tlsConnection } from './establish-trust.js';

interface Pems {
  readonly cert: string;
  readonly key: string;
}

/** An ECDSA certificate for 127.0.0.1: self-signed, or signed by `ca`. */
async function certificate(ca?: Pems, cA = false): Promise<Pems> {
  const pems = await generate([{ name: 'commonName', value: cA ? 'test CA' : '127.0.0.1' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    ...(ca ? { ca: { cert: ca.cert, key: ca.key } } : {}),
    extensions: cA
      ? [
          { name: 'basicConstraints', cA: true, critical: true },
          { name: 'keyUsage', keyCertSign: true, digitalSignature: true, critical: true },
        ]
      : [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
  });
  return { cert: pems.cert, key: pems.private };
}

let dir: string;
let selfSigned: Pems;
let other: Pems;
const servers: Server[] = [];
/** Bytes each test server received, to prove nothing was sent to a refused one. */
let received = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ciao-trust-'));
  [selfSigned, other] = await Promise.all([certificate(), certificate()]);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((resolve) => s.close(resolve));
  received = '';
});

async function tlsServer(pems: Pems): Promise<number> {
  const server = createServer({ cert: pems.cert, key: pems.key }, (socket) => {
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (received += d));
    socket.on('error', () => {});
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function fingerprintOf(pems: Pems): string {
  return new X509Certificate(pems.cert).fingerprint256;
}

describe('establishTrust (pinning on first use)', () => {
  it('asks once on first use, pins the fingerprint, then trusts it without asking', async () => {
    const port = await tlsServer(selfSigned);
    const file = join(dir, 'first', 'known_servers');
    const ask = vi.fn(() => Promise.resolve(true));
    const first = await establishTrust({ host: '127.0.0.1', port }, file, ask);
    expect(first).toEqual({ ok: true, pinned: fingerprintOf(selfSigned), asked: true });
    expect(ask.mock.calls).toEqual([[`127.0.0.1:${port}`, fingerprintOf(selfSigned)]]);
    expect(await readFile(file, 'utf8')).toBe(
      `127.0.0.1:${port} sha256 ${fingerprintOf(selfSigned)}\n`,
    );
    const again = await establishTrust({ host: '127.0.0.1', port }, file, ask);
    expect(again).toEqual({ ok: true, pinned: fingerprintOf(selfSigned), asked: false });
    expect(ask).toHaveBeenCalledTimes(1);
    expect(received).toBe('');
  });

  it('pins on a line of its own after a hand-edited last line with no newline', async () => {
    const port = await tlsServer(selfSigned);
    const file = join(dir, 'edited');
    await writeFile(file, `# mine\nother:1 sha256 ${fingerprintOf(other)}`);
    await establishTrust({ host: '127.0.0.1', port }, file, () => Promise.resolve(true));
    const again = await establishTrust({ host: '127.0.0.1', port }, file, () =>
      Promise.resolve(false),
    );
    expect(again).toMatchObject({ ok: true, asked: false });
    expect(await readFile(file, 'utf8')).toBe(
      `# mine\nother:1 sha256 ${fingerprintOf(other)}\n127.0.0.1:${port} sha256 ${fingerprintOf(selfSigned)}\n`,
    );
  });

  it('does not connect or pin when the answer is no', async () => {
    const port = await tlsServer(selfSigned);
    const file = join(dir, 'no', 'known_servers');
    const outcome = await establishTrust({ host: '127.0.0.1', port }, file, () =>
      Promise.resolve(false),
    );
    expect(outcome).toEqual({
      ok: false,
      message: `ciao: not connecting to 127.0.0.1:${port}: certificate not trusted`,
    });
    await expect(readFile(file, 'utf8')).rejects.toThrow(/ENOENT/);
  });

  it('refuses loudly, without asking, when the certificate differs from the pin', async () => {
    const port = await tlsServer(other);
    const file = join(dir, 'mismatch');
    await writeFile(file, `127.0.0.1:${port} sha256 ${fingerprintOf(selfSigned)}\n`);
    const ask = vi.fn(() => Promise.resolve(true));
    const outcome = await establishTrust({ host: '127.0.0.1', port }, file, ask);
    expect(ask).not.toHaveBeenCalled();
    expect(outcome.ok).toBe(false);
    const message = outcome.ok ? '' : outcome.message;
    expect(message).toMatch(/REFUSED: the certificate of 127\.0\.0\.1:\d+ has CHANGED\./);
    expect(message).toContain(`pinned:  SHA-256 ${fingerprintOf(selfSigned)}`);
    expect(message).toContain(`offered: SHA-256 ${fingerprintOf(other)}`);
    expect(received).toBe('');
  });

  it('trusts a certificate that a trusted CA signed for the host, without asking or pinning', async () => {
    const ca = await certificate(undefined, true);
    const port = await tlsServer(await certificate(ca));
    const file = join(dir, 'ca', 'known_servers');
    const ask = vi.fn(() => Promise.resolve(true));
    const outcome = await establishTrust({ host: '127.0.0.1', port, ca: ca.cert }, file, ask);
    expect(outcome).toEqual({ ok: true, pinned: undefined, asked: false });
    expect(ask).not.toHaveBeenCalled();
    // Without that CA the same certificate is just unknown.
    const unknown = await establishTrust({ host: '127.0.0.1', port }, file, () =>
      Promise.resolve(false),
    );
    expect(unknown.ok).toBe(false);
  });
});

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const port = await tlsServer(selfSigned);
  await new Promise((resolve) => servers.pop()!.close(resolve));
  return port;
}

describe('establishTrustAll (a list of servers)', () => {
  it('asks about each new server in turn, and leaves one it cannot reach for later', async () => {
    const [a, b, gone] = [await tlsServer(selfSigned), await tlsServer(other), await closedPort()];
    const file = join(dir, 'list', 'known_servers');
    const ask = vi.fn(() => Promise.resolve(true));
    const targets = [a, gone, b].map((port) => ({ host: '127.0.0.1', port }));
    const outcome = await establishTrustAll(targets, file, ask);
    expect(ask.mock.calls).toEqual([
      [`127.0.0.1:${a}`, fingerprintOf(selfSigned)],
      [`127.0.0.1:${b}`, fingerprintOf(other)],
    ]);
    expect(outcome.ok && [...outcome.servers]).toEqual([
      [`127.0.0.1:${a}`, { pinned: fingerprintOf(selfSigned), confirmed: true }],
      [`127.0.0.1:${b}`, { pinned: fingerprintOf(other), confirmed: true }],
      [`127.0.0.1:${gone}`, { pinned: undefined, confirmed: false }],
    ]);
    expect(received).toBe('');
  });

  it('refuses when none can be reached, and when any one changed its certificate', async () => {
    const gone = await closedPort();
    const none = await establishTrustAll(
      [{ host: '127.0.0.1', port: gone }],
      join(dir, 'none'),
      () => Promise.resolve(true),
    );
    expect(none).toEqual({
      ok: false,
      message: `ciao: 127.0.0.1:${gone}: connection refused (is the server running?)`,
    });
    const [a, b] = [await tlsServer(selfSigned), await tlsServer(other)];
    const file = join(dir, 'changed');
    await writeFile(file, `127.0.0.1:${b} sha256 ${fingerprintOf(selfSigned)}\n`);
    const changed = await establishTrustAll(
      [a, b].map((port) => ({ host: '127.0.0.1', port })),
      file,
      () => Promise.resolve(true),
    );
    expect(changed).toMatchObject({ ok: false, message: expect.stringContaining('CHANGED') });
  });
});

describe('Connection over TLS', () => {
  function connectPinned(port: number, pinned: string) {
    const statuses: ConnStatus[] = [];
    let opens = 0;
    const conn = new Connection(
      {
        hosts: [{ host: '127.0.0.1', port }],
        random: () => 0,
        tls: tlsConnection(new Map([[`127.0.0.1:${port}`, { pinned, confirmed: true }]])),
      },
      {
        onOpen: () => {
          opens++;
          conn.send({ type: 'ping', nonce: 'n' });
        },
        onFrame: () => {},
        onStatus: (s) => statuses.push(s),
      },
    );
    conn.start();
    return { conn, statuses, opens: () => opens };
  }

  it('opens and sends over TLS when the certificate matches the pin', async () => {
    const port = await tlsServer(selfSigned);
    const c = connectPinned(port, fingerprintOf(selfSigned));
    await waitFor(() => received.includes('"ping"'));
    expect(c.opens()).toBe(1);
    await c.conn.stop('bye');
  });

  it('stops for good, sending nothing, when a reconnect meets another certificate', async () => {
    const port = await tlsServer(other);
    const c = connectPinned(port, fingerprintOf(selfSigned));
    await waitFor(() => c.statuses.some((s) => s.state === 'stopped'));
    expect(c.statuses.at(-1)).toEqual({
      state: 'stopped',
      reason: expect.stringMatching(
        /^REFUSED: the certificate of 127\.0\.0\.1:\d+ changed/,
      ) as unknown,
    });
    expect(c.opens()).toBe(0);
    expect(received).toBe('');
  });

  it('passes over a server whose certificate nobody confirmed, sending it nothing, for the next', async () => {
    const unconfirmed = await tlsServer(other);
    const confirmed = await tlsServer(selfSigned);
    const statuses: ConnStatus[] = [];
    let opens = 0;
    const conn = new Connection(
      {
        hosts: [
          { host: '127.0.0.1', port: unconfirmed },
          { host: '127.0.0.1', port: confirmed },
        ],
        random: () => 0,
        tls: tlsConnection(
          new Map([
            [`127.0.0.1:${unconfirmed}`, { pinned: undefined, confirmed: false }],
            [`127.0.0.1:${confirmed}`, { pinned: fingerprintOf(selfSigned), confirmed: true }],
          ]),
        ),
      },
      { onOpen: () => opens++, onFrame: () => {}, onStatus: (s) => statuses.push(s) },
    );
    conn.start();
    await waitFor(() => opens === 1);
    expect(statuses).toEqual([
      { state: 'connecting', attempt: 0, server: `127.0.0.1:${unconfirmed}` },
      {
        state: 'offline',
        attempt: 1,
        retryInMs: 250,
        next: `127.0.0.1:${confirmed}`,
        reason: `127.0.0.1:${unconfirmed} skipped: its certificate was never confirmed (unreachable at start; restart to check it)`,
      },
      { state: 'connecting', attempt: 1, server: `127.0.0.1:${confirmed}` },
    ]);
    await conn.stop('bye');
  });
});
