import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PtyClient as Client, ServerProcess } from '../test/processes.js';
import { PtyClient, serverAvailable, startServerProcess } from '../test/processes.js';

const hasServer = await serverAvailable();

describe.skipIf(!hasServer)('a TUI and a server that wants a password', () => {
  let server: ServerProcess;
  const clients: Client[] = [];

  beforeAll(async () => {
    server = await startServerProcess(['--password', 'sesame']);
  }, 30_000);

  afterAll(async () => {
    for (const client of clients) client.kill();
    await server?.stop();
  }, 15_000);

  it('asks for the password, tells a wrong one from a missing one, and joins with the right one', async () => {
    const ann = new PtyClient([
      '--host',
      '127.0.0.1',
      '--port',
      String(server.port),
      '--name',
      'ann',
    ]);
    clients.push(ann);
    await ann.waitForText('wants a password', 30_000);
    // The prompt takes keys once React has run its effects, a moment after it is drawn: a key
    // typed before that is dropped (never sent to the room), so the first one is typed until
    // it shows. The password is wrong on purpose, so a doubled first key changes nothing.
    for (let tries = 0; ; tries++) {
      const mark = ann.raw.length;
      ann.write('n');
      try {
        await ann.waitForText('password: •', 1_000, mark);
        break;
      } catch (error) {
        if (tries >= 10) throw error;
      }
    }
    ann.write('ope');
    await ann.waitForText('password: ••••', 10_000);
    expect(ann.text()).not.toContain('nope');
    ann.write('\r');
    // The prompt stayed up while the password was checked: this one is typed into it.
    await ann.waitForText('Wrong password for', 10_000);
    ann.write('sesame');
    await ann.waitForText('password: ••••••', 10_000);
    ann.write('\r');
    await ann.waitForText('● online', 10_000);
    ann.write('\x03');
    expect(await ann.waitForExit()).toBe(0);
  }, 60_000);
});
