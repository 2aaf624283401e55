import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { COMMAND_HELP } from '@ciao/protocol';
import type { RunningServer } from './server.js';
import { TestClient, testServer } from './testing/client.js';

let server: RunningServer;
const clients: TestClient[] = [];

async function raw() {
  const c = await TestClient.connect(server.port);
  clients.push(c);
  return c;
}
/** A netcat user: types a name, waits for the welcome line. */
async function plain(name: string, eol = '\n') {
  const c = await raw();
  c.write(name + eol);
  await c.nextLine((l) => l.includes(`welcome, ${name}!`));
  return c;
}
async function json(name: string) {
  const r = await TestClient.join(server.port, name);
  clients.push(r.client);
  return r.client;
}
const STAMP = String.raw`\[\d\d:\d\d\]`;

beforeEach(async () => {
  server = await testServer({ plainPromptDelayMs: 50, plainLineFlushMs: 100 });
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await server.close();
});

describe('plain-text sessions', () => {
  it('prompts a silent connection for a name after the delay', async () => {
    const c = await raw();
    expect(await c.nextLine()).toMatch(/type your name/i);
    c.write('alice\n');
    expect(await c.nextLine()).toMatch(
      new RegExp(`^${STAMP} -- welcome, alice! nobody else is here yet\\.`),
    );
    expect(await c.nextLine()).toMatch(new RegExp(`^${STAMP} -> alice joined$`));
  });

  it('talks like netcat: each line is a message, rendered one line per event', async () => {
    const a = await plain('alice');
    const b = await plain('bob');
    a.write('hello there\n');
    expect(await b.nextLine((l) => l.includes('<alice>'))).toMatch(
      new RegExp(`^${STAMP} <alice> hello there$`),
    );
    b.write('/me waves\n');
    expect(await a.nextLine((l) => l.includes('* bob'))).toMatch(
      new RegExp(`^${STAMP} \\* bob waves$`),
    );
  });

  it('accepts CRLF line ends and ignores telnet IAC negotiation', async () => {
    const c = await raw();
    // IAC DO ECHO, IAC WILL NAWS, a subnegotiation, IAC NOP, then the name with CRLF.
    c.write(
      Buffer.from([255, 253, 1, 255, 251, 31, 255, 250, 31, 0, 80, 0, 24, 255, 240, 255, 241]),
    );
    c.write('alice\r\n');
    await c.nextLine((l) => l.includes('welcome, alice!'));
    c.write(Buffer.concat([Buffer.from('hi '), Buffer.from([255, 246]), Buffer.from('there\r\n')]));
    expect(await c.nextLine((l) => l.includes('<alice>'))).toMatch(/<alice> hi there$/);
  });

  it('counts a line with no newline as a line after a short silence', async () => {
    const a = await plain('alice');
    a.write('no newline here');
    expect(await a.nextLine((l) => l.includes('<alice>'))).toMatch(/<alice> no newline here$/);
  });

  it('takes a name sent with no newline (legacy clients)', async () => {
    const c = await raw();
    c.write('legacy');
    await c.nextLine((l) => l.includes('welcome, legacy!'));
  });

  it('asks again after a bad or taken name', async () => {
    await plain('alice');
    const c = await raw();
    c.write('ALICE\n');
    expect(await c.nextLine((l) => l.includes('!'))).toMatch(/taken/);
    expect(await c.nextLine()).toMatch(/another name/);
    c.write('b@d\n');
    expect(await c.nextLine((l) => l.includes('!'))).toMatch(/invalid name/);
    c.write('bob\n');
    await c.nextLine((l) => l.includes('welcome, bob!'));
  });

  it('asks for the password when the server has one', async () => {
    await server.close();
    server = await testServer({ password: 'pw', plainPromptDelayMs: 50 });
    const c = await raw();
    c.write('alice\n');
    expect(await c.nextLine((l) => l.includes('password'))).toBeTruthy();
    c.write('pw\n');
    await c.nextLine((l) => l.includes('welcome, alice!'));
    const d = await raw();
    d.write('bob\nwrong\n');
    expect(await d.nextLine((l) => l.includes('!'))).toMatch(/wrong password/);
    await d.waitClosed();
  });

  it('supports /nick, /msg, /who, /help, unknown commands and //escape', async () => {
    const a = await plain('alice');
    const b = await plain('bob');
    a.write('/msg bob psst\n');
    expect(await b.nextLine((l) => l.includes('psst'))).toMatch(/\*alice -> bob\* psst$/);
    a.write('/nick alicia\n');
    expect(await b.nextLine((l) => l.includes('known as'))).toMatch(
      /-- alice is now known as alicia$/,
    );
    a.write('/who\n');
    expect(await a.nextLine((l) => l.includes('online'))).toMatch(/online \(2\): alicia, bob$/);
    a.write('/help\n');
    for (const help of COMMAND_HELP) expect(await a.nextLine()).toContain(help);
    a.write('/frobnicate\n');
    expect(await a.nextLine()).toMatch(/unknown command \/frobnicate/);
    a.write('/msg\n');
    expect(await a.nextLine()).toMatch(/usage: \/msg NAME TEXT/);
    a.write('//slash\n');
    expect(await b.nextLine((l) => l.includes('<alicia>'))).toMatch(/<alicia> \/slash$/);
  });

  it('leaves with {quit} or /quit, announced to the others', async () => {
    const a = await plain('alice');
    const b = await plain('bob');
    const j = await json('carol');
    a.write('{quit}\n');
    await a.waitClosed();
    expect(await b.nextLine((l) => l.includes('<-'))).toMatch(/<- alice left \(quit\)$/);
    b.write('/quit\n');
    await b.waitClosed();
    expect(await j.next('leave', (f) => f['name'] === 'bob')).toMatchObject({ reason: 'quit' });
  });

  it('writes multi-line text as several lines, each with the prefix, so nobody forges a line', async () => {
    const a = await json('alice');
    const p = await plain('bob');
    a.send({ type: 'say', text: 'one\n[12:00] <bob> fake\n-- server says' });
    const lines = [
      await p.nextLine((l) => l.includes('<alice>')),
      await p.nextLine(),
      await p.nextLine(),
    ];
    for (const l of lines) expect(l).toMatch(new RegExp(`^${STAMP} <alice> `));
    expect(lines[1]).toMatch(/<alice> \[12:00\] <bob> fake$/);
  });

  it('lets two JSON clients and one plain client talk to each other', async () => {
    const a = await json('alice');
    const b = await json('bob');
    const c = await plain('carol');
    a.send({ type: 'say', text: 'from alice' });
    b.send({ type: 'dm', to: 'carol', text: 'from bob' });
    c.write('from carol\n');
    expect(await b.next('message', (f) => f['text'] === 'from alice')).toBeTruthy();
    expect(await a.next('message', (f) => f['text'] === 'from carol')).toMatchObject({
      from: 'carol',
    });
    expect(await b.next('message', (f) => f['text'] === 'from carol')).toMatchObject({
      from: 'carol',
    });
    expect(await c.nextLine((l) => l.includes('from alice'))).toMatch(/<alice> from alice$/);
    expect(await c.nextLine((l) => l.includes('from bob'))).toMatch(/\*bob -> carol\* from bob$/);
    await a.sync();
    expect(a.frames.some((f) => f['text'] === 'from bob')).toBe(false);
  });

  it('shows a rate-limit error as a ! line', async () => {
    await server.close();
    server = await testServer({ ratePerSec: 0.001, rateBurst: 1, plainPromptDelayMs: 50 });
    const a = await plain('alice');
    a.write('one\ntwo\n');
    expect(await a.nextLine((l) => l.includes('!'))).toMatch(
      new RegExp(`^${STAMP} ! rate limited: slow down$`),
    );
  });
});
