import { isIP } from 'node:net';
import { join } from 'node:path';

/**
 * Pinned server certificates, SSH known_hosts style: one line per server,
 * `HOST:PORT sha256 AB:CD:…` (`[v6addr]:PORT` for IPv6), `#` comments and blank lines kept
 * out of the way. Pure: the file is read and appended elsewhere.
 */
export interface KnownServer {
  /** `host:port`, host lower-cased, see {@link serverKey}. */
  readonly server: string;
  /** SHA-256 of the certificate, `AB:CD:…` (as Node and `openssl x509 -fingerprint` print it). */
  readonly fingerprint: string;
}

const FINGERPRINT = /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/;

/** The key a server is pinned under: its name as typed (lower-cased) and port. */
export function serverKey(host: string, port: number): string {
  const h = host.toLowerCase();
  return isIP(h) === 6 ? `[${h}]:${port}` : `${h}:${port}`;
}

/** The entries of a known_servers file; malformed lines are skipped, not fatal. */
export function parseKnownServers(text: string): KnownServer[] {
  const entries: KnownServer[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const [server, algorithm, fingerprint, ...rest] = line.split(/\s+/);
    if (rest.length > 0 || algorithm !== 'sha256' || server === undefined) continue;
    const normal = fingerprint?.toUpperCase();
    if (normal === undefined || !FINGERPRINT.test(normal)) continue;
    entries.push({ server, fingerprint: normal });
  }
  return entries;
}

/** One known_servers line, with its newline. */
export function formatKnownServer(entry: KnownServer): string {
  return `${entry.server} sha256 ${entry.fingerprint}\n`;
}

/** The fingerprint pinned for `server`: the last entry wins, as a newer pin is appended. */
export function pinnedFingerprint(
  entries: readonly KnownServer[],
  server: string,
): string | undefined {
  return entries.findLast((e) => e.server === server)?.fingerprint;
}

/** What a TLS handshake showed about the server's certificate. */
export interface PeerCertificate {
  readonly fingerprint: string;
  /** A CA this machine trusts signed it, and it names the host we asked for. */
  readonly caVerified: boolean;
}

export type TrustDecision =
  | { readonly kind: 'trusted'; readonly by: 'ca' | 'pin' }
  /** First use: show the fingerprint and ask. */
  | { readonly kind: 'unknown'; readonly fingerprint: string }
  /** Pinned to another certificate: refuse, loudly. */
  | { readonly kind: 'mismatch'; readonly fingerprint: string; readonly pinned: string };

/**
 * Whether to talk to a server: a certificate the system's CAs verify for that host is
 * trusted without asking; otherwise the pinned fingerprint decides, and with none the user is
 * asked (trust on first use, as SSH does).
 */
export function decideTrust(peer: PeerCertificate, pinned: string | undefined): TrustDecision {
  if (peer.caVerified) return { kind: 'trusted', by: 'ca' };
  if (pinned === undefined) return { kind: 'unknown', fingerprint: peer.fingerprint };
  if (pinned === peer.fingerprint) return { kind: 'trusted', by: 'pin' };
  return { kind: 'mismatch', fingerprint: peer.fingerprint, pinned };
}

/** `$XDG_CONFIG_HOME/ciao/known_servers`, else `~/.config/ciao/known_servers`. */
export function knownServersPath(env: NodeJS.ProcessEnv, home: string): string {
  const config = env['XDG_CONFIG_HOME'];
  // XDG: a relative path in the variable is invalid and ignored.
  const base = config !== undefined && config.startsWith('/') ? config : join(home, '.config');
  return join(base, 'ciao', 'known_servers');
}

/** The words for a refused certificate: loud, like SSH's, and saying what to do. */
export function mismatchMessage(
  server: string,
  decision: Extract<TrustDecision, { kind: 'mismatch' }>,
  file: string,
): string {
  return [
    `ciao: REFUSED: the certificate of ${server} has CHANGED.`,
    `  Someone may be intercepting the connection, or the server has a new one.`,
    `  pinned:  SHA-256 ${decision.pinned}`,
    `  offered: SHA-256 ${decision.fingerprint}`,
    `  If the server's owner confirms the new fingerprint, delete the line for`,
    `  ${server} in ${file} and connect again.`,
  ].join('\n');
}
