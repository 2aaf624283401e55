import { X509Certificate } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { createSecureContext } from 'node:tls';
import type { SecureContext } from 'node:tls';
import { generate } from 'selfsigned';

/** Where a certificate and its private key are read from (PEM files). */
export interface CertificateFiles {
  readonly certFile: string;
  readonly keyFile: string;
}

/** A loaded certificate, ready for new TLS sessions. */
export interface Credentials {
  readonly context: SecureContext;
  /** SHA-256 of the certificate's DER, as `AB:CD:…` (what `openssl x509 -fingerprint -sha256` prints). */
  readonly fingerprint: string;
}

export type LoadResult = { ok: true; credentials: Credentials } | { ok: false; message: string };

/** The self-signed certificate's files inside the data directory. */
export function selfSignedFiles(dataDir: string): CertificateFiles {
  return { certFile: join(dataDir, 'tls-cert.pem'), keyFile: join(dataDir, 'tls-key.pem') };
}

/**
 * Makes sure `dataDir` holds a self-signed certificate (ECDSA P-256, signed with SHA-256)
 * and returns its files; `created` says whether it was made now. An existing pair is kept as
 * is: its fingerprint is what clients have pinned.
 */
export async function ensureSelfSigned(
  dataDir: string,
  now: Date = new Date(),
): Promise<{ files: CertificateFiles; created: boolean }> {
  const files = selfSignedFiles(dataDir);
  if ((await exists(files.certFile)) && (await exists(files.keyFile)))
    return { files, created: false };
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const host = hostname();
  const pems = await generate([{ name: 'commonName', value: `ciao ${host}` }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: now,
    // Clients pin the fingerprint rather than trust a validity period: make it last.
    notAfterDate: new Date(now.getTime() + 20 * 365 * 86_400_000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: host },
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
  // Key first, certificate last, each by rename: a crash never leaves a certificate
  // without its key, and a half-written file is never read.
  await writeFile(`${files.keyFile}.tmp`, pems.private, { mode: 0o600 });
  await writeFile(`${files.certFile}.tmp`, pems.cert, { mode: 0o644 });
  await rename(`${files.keyFile}.tmp`, files.keyFile);
  await rename(`${files.certFile}.tmp`, files.certFile);
  return { files, created: true };
}

/** Reads a certificate and key; a message saying which file is wrong when they cannot be used. */
export async function loadCredentials(files: CertificateFiles): Promise<LoadResult> {
  let cert: Buffer;
  let key: Buffer;
  try {
    cert = await readFile(files.certFile);
  } catch (err) {
    return { ok: false, message: `cannot read certificate ${files.certFile}: ${reason(err)}` };
  }
  try {
    key = await readFile(files.keyFile);
  } catch (err) {
    return { ok: false, message: `cannot read key ${files.keyFile}: ${reason(err)}` };
  }
  let fingerprint: string;
  try {
    // A chain file holds the server's own certificate first.
    fingerprint = new X509Certificate(cert).fingerprint256;
  } catch (err) {
    return { ok: false, message: `${files.certFile} is not a PEM certificate: ${reason(err)}` };
  }
  try {
    return { ok: true, credentials: { context: createSecureContext({ cert, key }), fingerprint } };
  } catch (err) {
    return {
      ok: false,
      message: `cannot use ${files.keyFile} with ${files.certFile}: ${reason(err)}`,
    };
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await readFile(path);
    return true;
  } catch {
    return false;
  }
}

function reason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'ENOENT') return 'no such file';
  if (e.code === 'EACCES') return 'permission denied';
  return err instanceof Error ? err.message : String(err);
}
