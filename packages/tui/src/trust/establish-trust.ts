import type { TLSSocket } from 'node:tls';
import type { TlsTarget } from './tls-peer.js';
import type { ConnectionOptions } from '../net/connection.js';
import {
  appendKnownServer,
  connectTls,
  peerOf,
  probeCertificate,
  readKnownServers,
} from './tls-peer.js';
import { decideTrust, mismatchMessage, pinnedFingerprint, serverKey } from './known-servers.js';

export type TlsConnection = NonNullable<ConnectionOptions['tls']>;

export type TrustOutcome =
  /** Go ahead; reconnects must present this fingerprint (or a CA-verified certificate). */
  | { readonly ok: true; readonly pinned: string | undefined; readonly asked: boolean }
  | { readonly ok: false; readonly message: string };

/**
 * Before the chat connects over TLS: look at the server's certificate once and decide, as
 * SSH does with known_hosts. Asks (through `ask`) only on first use; a mismatch is refused
 * with a message meant to be read.
 */
export async function establishTrust(
  target: TlsTarget,
  file: string,
  ask: (server: string, fingerprint: string) => Promise<boolean>,
): Promise<TrustOutcome> {
  const server = serverKey(target.host, target.port);
  const probe = await probeCertificate(target);
  if (!probe.ok) return { ok: false, message: `ciao: ${server}: ${probe.message}` };
  const pinned = pinnedFingerprint(await readKnownServers(file), server);
  const decision = decideTrust(probe.peer, pinned);
  switch (decision.kind) {
    case 'trusted':
      return { ok: true, pinned, asked: false };
    case 'mismatch':
      return { ok: false, message: mismatchMessage(server, decision, file) };
    case 'unknown': {
      if (!(await ask(server, decision.fingerprint)))
        return { ok: false, message: `ciao: not connecting to ${server}: certificate not trusted` };
      await appendKnownServer(file, { server, fingerprint: decision.fingerprint });
      return { ok: true, pinned: decision.fingerprint, asked: true };
    }
  }
}

/**
 * The check every later connection (reconnects) makes before sending anything: the same
 * decision, but nobody is asked any more; the reason is shown and the client stops.
 */
export function verifyReconnect(
  target: TlsTarget,
  pinned: string | undefined,
): (socket: TLSSocket) => string | undefined {
  const server = serverKey(target.host, target.port);
  return (socket) => {
    const decision = decideTrust(peerOf(socket, target.host), pinned);
    switch (decision.kind) {
      case 'trusted':
        return undefined;
      case 'mismatch':
        return `REFUSED: the certificate of ${server} changed (pinned SHA-256 ${decision.pinned}, offered ${decision.fingerprint})`;
      case 'unknown':
        return `REFUSED: the certificate of ${server} is no longer verified by a CA (SHA-256 ${decision.fingerprint})`;
    }
  };
}

/** The `tls` option of the chat's Connection: connect to `target`, check as {@link verifyReconnect}. */
export function tlsConnection(target: TlsTarget, pinned: string | undefined): TlsConnection {
  return {
    connect: (host, port) => connectTls({ ...target, host, port }),
    verify: verifyReconnect(target, pinned),
  };
}
