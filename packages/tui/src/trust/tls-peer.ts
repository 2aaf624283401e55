import { mkdir, appendFile, readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { dirname } from 'node:path';
import { checkServerIdentity, connect } from 'node:tls';
import type { TLSSocket } from 'node:tls';
import type { KnownServer, PeerCertificate } from './known-servers.js';
import { formatKnownServer, parseKnownServers } from './known-servers.js';

/** Where to connect over TLS. */
export interface TlsTarget {
  readonly host: string;
  readonly port: number;
  /** CA certificates to trust instead of Node's defaults (tests use a private CA). */
  readonly ca?: string | Buffer;
}

/**
 * Opens a TLS connection that does not reject the certificate by itself: a self-signed
 * one is normal here, and the caller decides with {@link peerOf} before sending anything.
 */
export function connectTls(target: TlsTarget): TLSSocket {
  return connect({
    host: target.host,
    port: target.port,
    // SNI takes names only, never addresses.
    ...(isIP(target.host) === 0 ? { servername: target.host } : {}),
    rejectUnauthorized: false,
    ...(target.ca !== undefined ? { ca: target.ca } : {}),
  });
}

/** The certificate a finished handshake showed, and whether the trusted CAs vouch for it. */
export function peerOf(socket: TLSSocket, host: string): PeerCertificate {
  const cert = socket.getPeerCertificate();
  return {
    fingerprint: cert.fingerprint256,
    caVerified: socket.authorized && checkServerIdentity(host, cert) === undefined,
  };
}

export type ProbeResult =
  | { readonly ok: true; readonly peer: PeerCertificate }
  | { readonly ok: false; readonly message: string };

/** Connects once, reads the certificate, and hangs up without sending a byte. */
export function probeCertificate(target: TlsTarget, timeoutMs = 10_000): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const socket = connectTls(target);
    const finish = (result: ProbeResult): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(
      () => finish({ ok: false, message: 'TLS handshake timed out' }),
      timeoutMs,
    );
    socket.once('secureConnect', () => finish({ ok: true, peer: peerOf(socket, target.host) }));
    socket.once('error', (error: NodeJS.ErrnoException) =>
      finish({
        ok: false,
        message:
          error.code === 'ECONNREFUSED'
            ? 'connection refused (is the server running?)'
            : `no TLS session: ${error.message}`,
      }),
    );
  });
}

/** The pinned servers in `file`; none when it does not exist yet. */
export async function readKnownServers(file: string): Promise<KnownServer[]> {
  try {
    return parseKnownServers(await readFile(file, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** Pins a server by appending its line (the last line for a server wins). */
export async function appendKnownServer(file: string, entry: KnownServer): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  // A file edited by hand may lack its last newline: never glue the new line onto it.
  const before = await readFile(file, 'utf8').catch(() => '');
  const separator = before === '' || before.endsWith('\n') ? '' : '\n';
  await appendFile(file, separator + formatKnownServer(entry));
}
