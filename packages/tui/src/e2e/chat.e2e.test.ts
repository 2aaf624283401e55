import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PtyClient as Client, ServerProcess } from '../test/processes.js';
import { PtyClient, serverAvailable, startServerProcess, stripAnsi } from '../test/processes.js';

const hasServer = await serverAvailable();
if (!hasServer)
  console.warn('e2e: packages/server/src/cli.ts is missing: skipping the end-to-end test');

describe.skipIf(!hasServer)('two TUIs and a real server', () => {
  let server: ServerProcess;
  const clients: Client[] = [];

  beforeAll(async () => {
    server = await startServerProcess();
  }, 30_000);

  afterAll(async () => {
    for (const client of clients) client.kill();
    await server?.stop();
  }, 15_000);

  it('a line typed in one appears on the other, and /quit leaves cleanly', async () => {
    const args = (name: string) => [
      '--host',
      '127.0.0.1',
      '--port',
      String(server.port),
      '--name',
      name,
    ];
    const ann = new PtyClient(args('ann'));
    const bob = new PtyClient(args('bob'));
    clients.push(ann, bob);
    await Promise.all([ann.waitForText('● online', 30_000), bob.waitForText('● online', 30_000)]);
    await ann.waitForText('bob joined', 10_000).catch(() => bob.waitForText('ann joined', 10_000));

    ann.write('hello from ann 👋');
    await ann.waitForText('hello from ann 👋');
    const mark = bob.raw.length;
    ann.write('\r');
    await bob.waitForText('<ann> hello from ann 👋', 10_000, mark);

    bob.write('/me waves back\r');
    await ann.waitForText('* bob waves back', 10_000);

    // A bracketed paste of three lines, then Enter: one message, every line of it marked.
    expect(ann.raw).toContain('\x1b[?2004h');
    ann.write('\x1b[200~one\rtwo\rthree\x1b[201~');
    await ann.waitForText('3 lines · Enter sends as one message');
    const pasteMark = bob.raw.length;
    ann.write('\r');
    await bob.waitForText('│ three', 10_000, pasteMark);
    expect(stripAnsi(bob.raw.slice(pasteMark))).toMatch(/<ann> one[\s\S]*│ two[\s\S]*│ three/);

    ann.write('/quit\r');
    expect(await ann.waitForExit()).toBe(0);
    await bob.waitForText('ann left (quit)', 10_000);
    bob.write('\x03');
    expect(await bob.waitForExit()).toBe(0);
    // The alternate screen was left again, and bracketed paste turned off.
    expect(bob.raw.lastIndexOf('\x1b[?1049l')).toBeGreaterThan(bob.raw.lastIndexOf('\x1b[?1049h'));
    expect(bob.raw.lastIndexOf('\x1b[?2004l')).toBeGreaterThan(bob.raw.lastIndexOf('\x1b[?2004h'));
  }, 60_000);
});
