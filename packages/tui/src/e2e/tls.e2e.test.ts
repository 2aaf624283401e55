import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerProcess } from '../test/processes.js';
import { PtyClient, serverAvailable, startServerProcess } from '../test/processes.js';

const hasServer = await serverAvailable();

describe.skipIf(!hasServer)('pnpm tui --tls against a real server', () => {
  let server: ServerProcess;
  let config: string;
  const clients: PtyClient[] = [];

  beforeAll(async () => {
    server = await startServerProcess();
    config = await mkdtemp(path.join(tmpdir(), 'ciao-tls-e2e-'));
  }, 30_000);

  afterAll(async () => {
    for (const client of clients) client.kill();
    await server?.stop();
    await rm(config, { recursive: true, force: true });
  }, 15_000);

  const tui = (name: string): PtyClient => {
    const args = ['--host', '127.0.0.1', '--port', String(server.port), '--tls', '--name', name];
    const client = new PtyClient(args, { env: { XDG_CONFIG_HOME: config } });
    clients.push(client);
    return client;
  };

  it('shows the fingerprint and asks once, then connects silently', async () => {
    expect(server.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    const fp = server.fingerprint!;
    const first = tui('ann');
    await first.waitForText('[y/N]', 30_000);
    expect(first.text()).toContain(fp.slice(0, 47));
    expect(first.text()).toContain(fp.slice(48));
    first.write('y');
    await first.waitForText('● online', 30_000);
    expect(await readFile(path.join(config, 'ciao', 'known_servers'), 'utf8')).toBe(
      `127.0.0.1:${server.port} sha256 ${fp}\n`,
    );
    first.write('\x03');
    expect(await first.waitForExit()).toBe(0);

    const second = tui('bob');
    await second.waitForText('● online', 30_000);
    expect(second.text()).not.toContain('[y/N]');
    second.write('\x03');
    expect(await second.waitForExit()).toBe(0);
  }, 90_000);
});
