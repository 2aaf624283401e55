import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureSelfSigned, loadCredentials } from './credentials.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ciao-tls-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('ensureSelfSigned', () => {
  it('creates an ECDSA P-256 certificate signed with SHA-256, key readable by the owner only', async () => {
    const { files, created } = await ensureSelfSigned(join(dir, 'data'));
    expect(created).toBe(true);
    const cert = new X509Certificate(await readFile(files.certFile));
    expect(cert.publicKey.asymmetricKeyType).toBe('ec');
    expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(cert.subjectAltName).toContain('IP Address:127.0.0.1');
    // Signed by its own key, with ecdsa-with-SHA256 (OID 1.2.840.10045.4.3.2 in DER).
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.raw.includes(Buffer.from('06082a8648ce3d040302', 'hex'))).toBe(true);
    expect((await stat(files.keyFile)).mode & 0o777).toBe(0o600);
  });

  it('keeps an existing certificate, so its pinned fingerprint stays valid', async () => {
    const first = await ensureSelfSigned(dir);
    const before = await readFile(first.files.certFile, 'utf8');
    const again = await ensureSelfSigned(dir);
    expect(again.created).toBe(false);
    expect(await readFile(again.files.certFile, 'utf8')).toBe(before);
  });
});

describe('loadCredentials', () => {
  it('gives the SHA-256 fingerprint of the certificate', async () => {
    const { files } = await ensureSelfSigned(dir);
    const loaded = await loadCredentials(files);
    const expected = new X509Certificate(await readFile(files.certFile)).fingerprint256;
    expect(loaded).toMatchObject({ ok: true, credentials: { fingerprint: expected } });
    expect(expected).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });

  it('names the file that is missing, not PEM, or does not match', async () => {
    const { files } = await ensureSelfSigned(join(dir, 'a'));
    const other = await ensureSelfSigned(join(dir, 'b'));
    expect(await loadCredentials({ ...files, certFile: join(dir, 'nope.pem') })).toEqual({
      ok: false,
      message: `cannot read certificate ${join(dir, 'nope.pem')}: no such file`,
    });
    const junk = join(dir, 'junk.pem');
    await writeFile(junk, 'not a certificate');
    const notPem = await loadCredentials({ ...files, certFile: junk });
    expect(notPem.ok === false && notPem.message).toMatch(/junk\.pem is not a PEM certificate/);
    const mismatch = await loadCredentials({ ...files, keyFile: other.files.keyFile });
    expect(mismatch.ok === false && mismatch.message).toMatch(/^cannot use .*tls-key\.pem with/);
  });
});
