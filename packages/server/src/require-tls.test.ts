import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RunningServer } from './server.js';
import { TestClient, testServer } from './testing/client.js';
import type { CertificateFiles } from './tls/credentials.js';
import { ensureSelfSigned } from './tls/credentials.js';
import type * as FirstByte from './tls/first-byte.js';

// Tests may only use 127.0.0.1, which --require-tls never refuses: here every peer counts as
// another machine, so the accept path's refusal runs on real sockets. The loopback rule
// itself is tested in tls/first-byte.test.ts.
vi.mock('./tls/first-byte.js', async (importOriginal) => ({
  ...(await importOriginal<typeof FirstByte>()),
  refusesClearText: (requireTls: boolean) => requireTls,
}));

let dir: string;
let files: CertificateFiles;
let server: RunningServer;
const clients: TestClient[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ciao-require-tls-'));
  files = (await ensureSelfSigned(dir)).files;
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await server.close();
});

async function track(c: Promise<TestClient>): Promise<TestClient> {
  const client = await c;
  clients.push(client);
  return client;
}

describe('--require-tls, a peer on another machine', () => {
  it('refuses clear-text JSON with one fatal tls_required error, then closes', async () => {
    server = await testServer({ tls: files, requireTls: true });
    const c = await track(TestClient.connect(server.port));
    c.send({ type: 'hello', protocol: 1, name: 'alice' });
    await c.waitClosed();
    expect(c.lines).toHaveLength(1);
    expect(JSON.parse(c.lines[0]!)).toMatchObject({
      type: 'error',
      code: 'tls_required',
      fatal: true,
    });
    expect(server.hub.room.size).toBe(0);
  });

  it('refuses a plain-text person with one line saying why, even one who typed nothing', async () => {
    server = await testServer({ tls: files, requireTls: true, plainPromptDelayMs: 50 });
    const typed = await track(TestClient.connect(server.port));
    typed.write('bob\n');
    const silent = await track(TestClient.connect(server.port));
    for (const c of [typed, silent]) {
      await c.waitClosed();
      expect(c.lines).toEqual([expect.stringMatching(/^\[\d\d:\d\d\] ! this server requires TLS/)]);
    }
  });

  it('serves the same peer over TLS', async () => {
    server = await testServer({ tls: files, requireTls: true });
    const c = await track(TestClient.connectTls(server.port));
    c.send({ type: 'hello', protocol: 1, name: 'carol' });
    expect(await c.next('welcome')).toMatchObject({ name: 'carol' });
  });
});
