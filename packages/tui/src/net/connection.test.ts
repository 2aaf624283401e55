import { mkdtempSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ServerFrame } from '@ciao/protocol';
import type { ConnStatus } from '../state/chat-reducer.js';
import { waitFor } from '../test/wait-for.js';
import type { ConnectionOptions } from './connection.js';
import { Connection } from './connection.js';

const servers: net.Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

/** A TCP server on an ephemeral port that hands each accepted socket to `onSocket`. */
async function tcpServer(onSocket: (socket: net.Socket, n: number) => void): Promise<number> {
  let n = 0;
  const server = net.createServer((socket) => onSocket(socket, ++n));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

function connect(port: number, options: Partial<ConnectionOptions> = {}) {
  const frames: ServerFrame[] = [];
  const statuses: ConnStatus[] = [];
  const lags: (number | undefined)[] = [];
  let opens = 0;
  const conn = new Connection(
    { hosts: [{ host: '127.0.0.1', port }], random: () => 0, ...options },
    {
      onOpen: () => opens++,
      onFrame: (frame) => frames.push(frame),
      onStatus: (status) => statuses.push(status),
      onLag: (lagMs) => lags.push(lagMs),
    },
  );
  conn.start();
  return { conn, frames, statuses, lags, opens: () => opens };
}

describe('Connection', () => {
  it('delivers valid frames and skips prompts, bad JSON and unknown types', async () => {
    const port = await tcpServer((socket) => {
      socket.write('What is your name?\n{oops\n{"type":"future_thing"}\n');
      socket.write('{"type":"notice","text":"split ');
      setImmediate(() => socket.write('across chunks"}\r\n\n{"type":"pong","nonce":7}\n'));
    });
    const log = path.join(mkdtempSync(path.join(tmpdir(), 'ciao-debug-')), 'debug.log');
    vi.stubEnv('CIAO_DEBUG_LOG', log);
    const { conn, frames } = connect(port);
    await waitFor(() => frames.length === 2);
    expect(frames).toEqual([
      { type: 'notice', text: 'split across chunks' },
      { type: 'pong', nonce: 7 },
    ]);
    await conn.stop('done');
    // What was dropped is said at debug level, not silently.
    const lines = readFileSync(log, 'utf8');
    expect(lines).toContain('dropped a line from the server');
    expect(lines).toContain('(unknown_type)');
    vi.unstubAllEnvs();
  });

  it('reconnects with backoff when the server closes, until stopped', async () => {
    const port = await tcpServer((socket, n) => {
      if (n === 1) socket.destroy();
      else socket.write('{"type":"notice","text":"second time lucky"}\n');
    });
    const { conn, frames, statuses, opens } = connect(port);
    await waitFor(() => frames.length === 1, 5_000);
    expect(opens()).toBe(2);
    expect(statuses.map((s) => s.state)).toEqual(['connecting', 'offline', 'connecting']);
    expect(statuses[1]).toMatchObject({ state: 'offline', attempt: 1, retryInMs: 250 });
    await conn.stop('done');
    expect(statuses.at(-1)).toEqual({ state: 'stopped', reason: 'done' });
  });

  it('says in words why it cannot connect', async () => {
    const port = await tcpServer(() => {});
    await new Promise((resolve) => servers.pop()!.close(resolve));
    const { conn, statuses } = connect(port);
    await waitFor(() => statuses.some((s) => s.state === 'offline'));
    expect(statuses.find((s) => s.state === 'offline')).toMatchObject({
      reason: 'connection refused (is the server running?)',
    });
    await conn.stop('done');
  });

  it('writes frames only while connected', async () => {
    const received: string[] = [];
    const port = await tcpServer((socket) => socket.on('data', (d) => received.push(d.toString())));
    const { conn, opens } = connect(port);
    expect(conn.send({ type: 'who' })).toBe(false);
    await waitFor(() => opens() === 1);
    expect(conn.send({ type: 'who' })).toBe(true);
    await waitFor(() => received.join('') === '{"type":"who"}\n');
    await conn.stop('done');
  });

  it('pings a quiet server, reports lag while the pong is late, and forgets it on an answer', async () => {
    const pings: string[] = [];
    let answer: (() => void) | undefined;
    const port = await tcpServer((socket) =>
      socket.on('data', (d) => {
        pings.push(d.toString());
        answer = () => socket.write('{"type":"pong"}\n');
      }),
    );
    const { conn, lags } = connect(port, {
      liveness: { pingAfterMs: 50, lagAfterMs: 1_000, dropAfterMs: 60_000 },
      livenessTickMs: 20,
    });
    await waitFor(() => pings.length === 1);
    expect(JSON.parse(pings[0]!)).toMatchObject({ type: 'ping' });
    await waitFor(() => lags.some((lag) => lag !== undefined && lag >= 1_000), 5_000);
    answer!();
    await waitFor(() => lags.at(-1) === undefined);
    await conn.stop('done');
  });

  it('reconnects at once on reconnectNow, and not at all while held', async () => {
    let sockets = 0;
    const port = await tcpServer(() => sockets++);
    const { conn, opens, statuses } = connect(port);
    await waitFor(() => opens() === 1);
    conn.hold();
    conn.reconnectNow();
    await waitFor(() => opens() === 2);
    expect(sockets).toBe(2);
    // The socket it replaced closing is not a drop to retry after.
    expect(statuses.some((s) => s.state === 'offline')).toBe(false);
    await conn.stop('done');
  });

  it('does not retry a held connection when its socket closes', async () => {
    const port = await tcpServer((socket) => socket.destroy());
    let closed = false;
    const { conn, statuses } = connect(port, {
      connect: (host, p) => {
        const socket = net.connect({ host, port: p });
        // Registered after the connection's own listener, so it runs after it.
        process.nextTick(() => socket.on('close', () => (closed = true)));
        return socket;
      },
    });
    conn.hold();
    await waitFor(() => closed);
    expect(statuses.map((s) => s.state)).toEqual(['connecting']);
    await conn.stop('done');
  });

  it('moves on to the next server of the list on each retry and on reconnectNow, round robin', async () => {
    // The first server is gone; the second drops us once, then stays.
    const gone = await tcpServer(() => {});
    await new Promise((resolve) => servers.pop()!.close(resolve));
    const second = await tcpServer((socket, n) => {
      if (n === 1) socket.destroy();
      else socket.write('{"type":"notice","text":"here"}\n');
    });
    const hosts = [
      { host: '127.0.0.1', port: gone },
      { host: '127.0.0.1', port: second },
    ] as const;
    const { conn, frames, statuses, opens } = connect(0, { hosts });
    // gone (refused) -> second (dropped) -> gone (refused) -> second (stays)
    await waitFor(() => frames.length === 1, 5_000);
    expect(opens()).toBe(2);
    const a = `127.0.0.1:${gone}`;
    const b = `127.0.0.1:${second}`;
    expect(
      statuses.map((s) =>
        s.state === 'connecting'
          ? `-> ${s.server}`
          : s.state === 'offline'
            ? `next ${s.next}`
            : s.state,
      ),
    ).toEqual([`-> ${a}`, `next ${b}`, `-> ${b}`, `next ${a}`, `-> ${a}`, `next ${b}`, `-> ${b}`]);
    expect(statuses[1]).toMatchObject({ reason: 'connection refused (is the server running?)' });
    // Ctrl+T / `/reconnect` go to the next one too.
    conn.reconnectNow();
    await waitFor(() => statuses.at(-1)?.state === 'offline');
    expect(statuses.at(-2)).toMatchObject({ state: 'connecting', server: a });
    await conn.stop('done');
  });

  it('names no next server when there is only one', async () => {
    const port = await tcpServer((socket) => socket.destroy());
    const { conn, statuses } = connect(port);
    await waitFor(() => statuses.some((s) => s.state === 'offline'));
    expect(statuses[0]).toEqual({ state: 'connecting', attempt: 0, server: `127.0.0.1:${port}` });
    expect(statuses[1]).not.toHaveProperty('next');
    await conn.stop('done');
  });
});
