import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatController } from '../chat-controller.js';
import { Connection } from '../net/connection.js';
import type { ServerProcess } from '../test/processes.js';
import { serverAvailable, startServerProcess } from '../test/processes.js';
import { RawClient } from '../test/raw-client.js';
import { waitFor } from '../test/wait-for.js';

const hasServer = await serverAvailable();

/** A TCP proxy that can cut every connection through it and refuse new ones for a while. */
class CuttableProxy {
  readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private open = true;

  constructor(targetPort: number) {
    this.server = net.createServer((client) => {
      if (!this.open) {
        client.destroy();
        return;
      }
      const upstream = net.connect({ host: '127.0.0.1', port: targetPort });
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => {});
      }
      client.pipe(upstream);
      upstream.pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
  }

  listen(): Promise<number> {
    return new Promise((resolve) =>
      this.server.listen(0, '127.0.0.1', () =>
        resolve((this.server.address() as net.AddressInfo).port),
      ),
    );
  }

  /** Drops every connection at once, as a network failure would, and refuses new ones. */
  cut(): void {
    this.open = false;
    for (const socket of this.sockets) socket.destroy();
  }

  heal(): void {
    this.open = true;
  }

  close(): Promise<void> {
    this.cut();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe.skipIf(!hasServer)('reconnecting through a connection cut', () => {
  let server: ServerProcess;
  let proxy: CuttableProxy;
  let proxyPort: number;

  beforeAll(async () => {
    server = await startServerProcess();
    proxy = new CuttableProxy(server.port);
    proxyPort = await proxy.listen();
  }, 30_000);

  afterAll(async () => {
    await proxy?.close();
    await server?.stop();
  }, 15_000);

  it('reconnects with token and since, merges the replay and resends the unconfirmed once', async () => {
    const ann = new ChatController({
      name: 'ann',
      address: 'proxy',
      flushMs: 0,
      makeTransport: (handlers) =>
        new Connection(
          { hosts: [{ host: '127.0.0.1', port: proxyPort }], random: () => 0 },
          handlers,
        ),
    });
    const annTexts = (): string[] =>
      ann
        .getState()
        .lines.filter((l) => l.kind === 'message' && l.sub === 0)
        .map((l) => `${l.from}: ${l.text}`);
    ann.start();
    await waitFor(() => ann.getState().conn.state === 'online', 10_000, 'ann online');
    const bob = new RawClient(server.port, 'bob');
    await waitFor(() => ann.getState().users.includes('bob'), 10_000, 'bob joined');

    bob.send({ type: 'say', text: 'before the cut', id: 'b1' });
    await waitFor(
      () => annTexts().includes('bob: before the cut'),
      5_000,
      () => annTexts().join('\n'),
    );

    ann.submit('sent as the line died');
    proxy.cut();
    await waitFor(() => ann.getState().conn.state !== 'online', 5_000, 'ann offline');
    bob.send({ type: 'say', text: 'while you were away', id: 'b2' });
    ann.submit('typed while offline');
    expect(ann.getState().outbox.length).toBeGreaterThanOrEqual(1);

    proxy.heal();
    await waitFor(
      () => ann.getState().outbox.length === 0,
      15_000,
      () => JSON.stringify(ann.getState().conn),
    );
    await waitFor(
      () => annTexts().includes('bob: while you were away'),
      5_000,
      () => annTexts().join('\n'),
    );
    await waitFor(
      () => bob.texts().includes('ann: typed while offline'),
      5_000,
      () => bob.texts().join('\n'),
    );

    // Nothing lost, nothing doubled, in server order.
    const seen = annTexts();
    for (const text of [
      'bob: before the cut',
      'ann: sent as the line died',
      'bob: while you were away',
      'ann: typed while offline',
    ]) {
      expect(seen.filter((t) => t === text)).toHaveLength(1);
    }
    expect(bob.texts().filter((t) => t === 'ann: typed while offline')).toHaveLength(1);
    expect(bob.texts().filter((t) => t === 'ann: sent as the line died')).toHaveLength(1);
    const seqs = ann
      .getState()
      .lines.filter((l) => l.sub === 0)
      .map((l) => l.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));

    bob.close();
    await ann.quit();
  }, 45_000);
});

/** A port free right now (the server is restarted on the same one). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

describe.skipIf(!hasServer)('resuming across a server crash on the same data', () => {
  let dataDir: string;
  let server: ServerProcess | undefined;

  beforeAll(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'ciao-tui-restart-'));
  });

  afterAll(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }, 15_000);

  it('comes back after SIGKILL and a restart without a gap, a double or a reset', async () => {
    const port = await freePort();
    const args = ['--data', dataDir, '--port', String(port)];
    server = await startServerProcess(args);
    const ann = new ChatController({
      name: 'ann',
      address: 'server',
      flushMs: 0,
      makeTransport: (handlers) =>
        new Connection({ hosts: [{ host: '127.0.0.1', port }], random: () => 0 }, handlers),
    });
    const annTexts = (): string[] =>
      ann
        .getState()
        .lines.filter((l) => (l.kind === 'message' || l.kind === 'notice') && l.sub === 0)
        .map((l) => `${l.from}: ${l.text}`);
    ann.start();
    await waitFor(() => ann.getState().conn.state === 'online', 10_000, 'ann online');
    const bob = new RawClient(port, 'bob');
    bob.send({ type: 'say', text: 'before the crash', id: 'b1' });
    ann.submit('mine, before the crash');
    await waitFor(
      () => ann.getState().outbox.length === 0 && annTexts().includes('bob: before the crash'),
      5_000,
      () => annTexts().join('\n'),
    );
    const epoch = ann.getState().epoch;

    server.child.kill('SIGKILL');
    await waitFor(() => ann.getState().conn.state !== 'online', 5_000, 'ann offline');
    ann.submit('typed while the server was down');
    server = await startServerProcess(args);
    await waitFor(
      () => ann.getState().conn.state === 'online' && ann.getState().outbox.length === 0,
      20_000,
      () => JSON.stringify(ann.getState().conn),
    );
    const carol = new RawClient(port, 'carol');
    carol.send({ type: 'say', text: 'after the restart', id: 'c1' });
    await waitFor(
      () => annTexts().includes('carol: after the restart'),
      5_000,
      () => annTexts().join('\n'),
    );

    expect(ann.getState().epoch).toBe(epoch);
    expect(ann.getState().lines.some((l) => /reset/.test(l.text))).toBe(false);
    const seen = annTexts();
    for (const text of [
      'bob: before the crash',
      'ann: mine, before the crash',
      'ann: typed while the server was down',
      'carol: after the restart',
    ])
      expect(seen.filter((t) => t === text)).toHaveLength(1);
    const seqs = ann
      .getState()
      .lines.filter((l) => l.sub === 0)
      .map((l) => l.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    // Everyone who joins later sees the same, once.
    await waitFor(
      () => carol.texts().filter((t) => t === 'ann: typed while the server was down').length > 0,
      5_000,
      () => carol.texts().join('\n'),
    );
    bob.close();
    carol.close();
    await ann.quit();
  }, 60_000);
});
