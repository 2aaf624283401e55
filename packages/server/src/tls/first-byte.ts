import { isIP } from 'node:net';
import type { ServerFrame } from '@ciao/protocol';
import { encodeFrameString, renderPlain } from '@ciao/protocol';

/** A TLS record of type handshake: every ClientHello starts with it; no chat client does. */
export const TLS_HANDSHAKE_BYTE = 0x16;

/** What the first chunk of a connection says it is. */
export type Transport = 'tls' | 'clear';

export function transportOf(firstChunk: Uint8Array): Transport {
  return firstChunk[0] === TLS_HANDSHAKE_BYTE ? 'tls' : 'clear';
}

/** 127.0.0.0/8, ::1 and IPv4-mapped loopback: traffic that never left this machine. */
export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (isIP(v4) === 4) return v4.startsWith('127.');
  return address === '::1' || address === '0:0:0:0:0:0:0:1';
}

/** `--require-tls` refuses clear text from other machines; loopback stays open for local tools. */
export function refusesClearText(requireTls: boolean, remoteAddress: string | undefined): boolean {
  return requireTls && !isLoopback(remoteAddress);
}

export const TLS_REQUIRED_MESSAGE =
  'this server requires TLS: connect with pnpm tui --tls, ncat --ssl or openssl s_client';

/**
 * What a refused clear-text connection is told, in one line it can read: a fatal
 * `tls_required` error to a JSON client (first non-space byte `{`), a text line to anyone else
 * (including one that sent nothing yet).
 */
export function clearTextRefusal(
  first: Uint8Array | undefined,
  now: () => number = Date.now,
): string {
  const frame: ServerFrame = {
    type: 'error',
    code: 'tls_required',
    message: TLS_REQUIRED_MESSAGE,
    fatal: true,
  };
  const json =
    first !== undefined && Buffer.from(first).toString('latin1').trimStart().startsWith('{');
  return json ? encodeFrameString(frame) : `${renderPlain(frame, { now }).join('\n')}\n`;
}
