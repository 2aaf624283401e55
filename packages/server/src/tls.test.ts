import { X509Certificate } from 'node:crypto';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect as connectTcp } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from './server.js';
import { TestClient, testServer } from './testing/client.js';
import type { CertificateFiles } from './tls/credentials.js';
import { ensureSelfSigned } from './tls/credentials.js';

let dir: string;
let files: CertificateFiles;
let server: RunningServer;
const clients: TestClient[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ciao-tls-server-'));
  files = (await ensureSelfSigned(join(dir, 'data'))).files;
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await server.close();
});

async function tls(): Promise<TestClient> {
  const c = await TestClient.connectTls(server.port);
  clients.push(c);
  return c;
}
async function clear(): Promise<TestClient> {
  const c = await TestClient.connect(server.port);
  clients.push(c);
  return c;
}
function peerFingerprint(c: TestClient): string {
  return (c.socket as TLSSocket).getPeerCertificate().fingerprint256;
}

describe('TLS on the same port', () => {
  it('carries a JSON session, in the same room as clear-text JSON and plain sessions', async () => {
    server = await testServer({ tls: files });
    const a = await tls();
    a.send({ type: 'hello', protocol: 1, name: 'alice' });
    expect(await a.next('welcome')).toMatchObject({ name: 'alice' });
    const b = await clear();
    b.send({ type: 'hello', protocol: 1, name: 'bob' });
    await b.next('welcome');
    const p = await clear();
    p.write('cy\n');
    await p.nextLine((l) => l.includes('welcome, cy!'));
    a.send({ type: 'say', id: 'm1', text: 'over tls' });
    expect(await b.next('message')).toMatchObject({ from: 'alice', text: 'over tls' });
    expect(await p.nextLine((l) => l.includes('<alice>'))).toMatch(/<alice> over tls$/);
    expect(server.hub.sessions.size).toBe(3);
  });

  it('carries a plain-text session, prompted after a silent second like nc', async () => {
    server = await testServer({ tls: files, plainPromptDelayMs: 50 });
    const p = await tls();
    expect(await p.nextLine()).toBe('-- welcome to ciao! Type your name and press Enter:');
    p.write('dora\n');
    expect(await p.nextLine()).toMatch(/welcome, dora!/);
    p.write('hello\n');
    expect(await p.nextLine((l) => l.includes('<dora>'))).toMatch(/<dora> hello$/);
  });

  it('prompts a silent clear-text connection once, as without TLS', async () => {
    server = await testServer({ tls: files, plainPromptDelayMs: 50 });
    const p = await clear();
    expect(await p.nextLine()).toBe('-- welcome to ciao! Type your name and press Enter:');
    p.write('erin\n');
    expect(await p.nextLine()).toMatch(/welcome, erin!/);
    expect(p.lines.filter((l) => l.includes('Type your name'))).toHaveLength(1);
  });

  it('presents the certificate whose fingerprint it reports', async () => {
    server = await testServer({ tls: files });
    const c = await tls();
    const expected = new X509Certificate(await readFile(files.certFile)).fingerprint256;
    expect(server.tls?.fingerprint).toBe(expected);
    expect(peerFingerprint(c)).toBe(expected);
  });

  it('serves a new certificate after reload; open sessions keep going', async () => {
    const live = { certFile: join(dir, 'live-cert.pem'), keyFile: join(dir, 'live-key.pem') };
    await copyFile(files.certFile, live.certFile);
    await copyFile(files.keyFile, live.keyFile);
    server = await testServer({ tls: live });
    const old = await tls();
    old.send({ type: 'hello', protocol: 1, name: 'old' });
    await old.next('welcome');
    const before = peerFingerprint(old);

    const next = (await ensureSelfSigned(join(dir, 'next'))).files;
    await copyFile(next.keyFile, live.keyFile);
    await copyFile(next.certFile, live.certFile);
    const reloaded = await server.tls!.reload();
    expect(reloaded.ok).toBe(true);

    const fresh = await tls();
    expect(peerFingerprint(fresh)).not.toBe(before);
    expect(peerFingerprint(fresh)).toBe(server.tls?.fingerprint);
    await old.sync();
  });

  it('keeps the certificate in use when a reload finds broken files', async () => {
    const live = { certFile: join(dir, 'bad-cert.pem'), keyFile: join(dir, 'bad-key.pem') };
    await copyFile(files.certFile, live.certFile);
    await copyFile(files.keyFile, live.keyFile);
    server = await testServer({ tls: live });
    const before = server.tls!.fingerprint;
    await rm(live.keyFile);
    expect(await server.tls!.reload()).toMatchObject({ ok: false });
    expect(peerFingerprint(await tls())).toBe(before);
  });

  it('closes a connection that starts a handshake and sends garbage, and goes on serving', async () => {
    server = await testServer({ tls: files });
    const bad = connectTcp({ port: server.port, host: '127.0.0.1' });
    bad.on('error', () => {});
    bad.resume();
    bad.write(Buffer.from([0x16, 0x03, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5]));
    await new Promise((resolve) => bad.once('close', resolve));
    const c = await tls();
    c.send({ type: 'hello', protocol: 1, name: 'fine' });
    await c.next('welcome');
    expect(server.hub.sessions.size).toBe(1);
  });

  it('with --require-tls still serves clear text from loopback (local tools)', async () => {
    server = await testServer({ tls: files, requireTls: true });
    const b = await clear();
    b.send({ type: 'hello', protocol: 1, name: 'local' });
    expect(await b.next('welcome')).toMatchObject({ name: 'local' });
  });
});
