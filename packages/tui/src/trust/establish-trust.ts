import type { TLSSocket } from 'node:tls';
import type { TlsTarget } from './tls-peer.js';
import type { ConnectionOptions, Refusal } from '../net/connection.js';
import type { Endpoint } from '../net/endpoints.js';
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
  /** `unreachable`: no certificate was seen (no TLS session), so nothing was decided. */
  | { readonly ok: false; readonly message: string; readonly unreachable?: true };

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
  if (!probe.ok)
    return { ok: false, message: `ciao: ${server}: ${probe.message}`, unreachable: true };
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

/** What the check before the chat learned about one server (keyed by {@link serverKey}). */
export interface ServerTrust {
  /** The fingerprint it must present; undefined: a CA must vouch for it. */
  readonly pinned: string | undefined;
  /**
   * Its certificate was looked at and accepted before the chat. False for a server that could
   * not be reached then: with no pin, nobody has confirmed it, and nobody can be asked later.
   */
  readonly confirmed: boolean;
}

export type TrustAllOutcome =
  | { readonly ok: true; readonly servers: ReadonlyMap<string, ServerTrust> }
  | { readonly ok: false; readonly message: string };

/**
 * {@link establishTrust} for each server of the list, in order (so a person is asked about
 * each new one in turn). A refused or changed certificate stops everything; a server that
 * cannot be reached now is left for later, under its pin if it has one, as long as one
 * server could be checked.
 */
export async function establishTrustAll(
  targets: readonly TlsTarget[],
  file: string,
  ask: (server: string, fingerprint: string) => Promise<boolean>,
): Promise<TrustAllOutcome> {
  const servers = new Map<string, ServerTrust>();
  const unreachable: string[] = [];
  for (const target of targets) {
    const key = serverKey(target.host, target.port);
    const outcome = await establishTrust(target, file, ask);
    if (outcome.ok) servers.set(key, { pinned: outcome.pinned, confirmed: true });
    else if (outcome.unreachable) unreachable.push(outcome.message);
    else return outcome;
  }
  if (unreachable.length === targets.length) return { ok: false, message: unreachable.join('\n') };
  const known = await readKnownServers(file);
  for (const target of targets) {
    const key = serverKey(target.host, target.port);
    if (!servers.has(key))
      servers.set(key, { pinned: pinnedFingerprint(known, key), confirmed: false });
  }
  return { ok: true, servers };
}

/**
 * The check every later connection (reconnects, other servers of the list) makes before
 * sending anything: the same decision, but nobody is asked any more. A changed certificate,
 * or a checked server that lost its CA's word, stops the client with the reason; a server
 * that was never checked and has no pin is passed over for the next one.
 */
export function verifyServer(
  trust: ReadonlyMap<string, ServerTrust>,
): (socket: TLSSocket, target: Endpoint) => Refusal | undefined {
  return (socket, target) => {
    const server = serverKey(target.host, target.port);
    const known = trust.get(server) ?? { pinned: undefined, confirmed: false };
    const decision = decideTrust(peerOf(socket, target.host), known.pinned);
    switch (decision.kind) {
      case 'trusted':
        return undefined;
      case 'mismatch':
        return {
          final: true,
          reason: `REFUSED: the certificate of ${server} changed (pinned SHA-256 ${decision.pinned}, offered ${decision.fingerprint})`,
        };
      case 'unknown':
        return known.confirmed
          ? {
              final: true,
              reason: `REFUSED: the certificate of ${server} is no longer verified by a CA (SHA-256 ${decision.fingerprint})`,
            }
          : {
              final: false,
              reason: `${server} skipped: its certificate was never confirmed (unreachable at start; restart to check it)`,
            };
    }
  };
}

/**
 * The `tls` option of the chat's Connection: connect to each server (with `ca`, tests' private
 * CA, when given), check as {@link verifyServer}.
 */
export function tlsConnection(
  trust: ReadonlyMap<string, ServerTrust>,
  ca?: TlsTarget['ca'],
): TlsConnection {
  return {
    connect: (host, port) => connectTls({ host, port, ...(ca === undefined ? {} : { ca }) }),
    verify: verifyServer(trust),
  };
}
