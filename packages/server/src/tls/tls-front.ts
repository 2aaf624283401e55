import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import type { CertificateFiles, Credentials, LoadResult } from './credentials.js';
import { loadCredentials } from './credentials.js';

/**
 * The TLS side of the shared port: turns a socket whose first byte was a ClientHello into a
 * server-side TLSSocket, and hands it on once the handshake is done, so the sessions behind
 * it are the same JSON and plain-text sessions as in clear text. Owns the certificate in use
 * and its reload (SIGHUP): sessions already open keep theirs, new ones get the new one.
 */
export class TlsFront {
  #credentials: Credentials;
  readonly #files: CertificateFiles;
  readonly #handshakeTimeoutMs: number;
  readonly #onSecure: (socket: TLSSocket) => void;
  readonly #onFailed: (socket: TLSSocket, error: Error) => void;
  /** Handshakes in progress (closed with the server; not sessions yet). */
  readonly #pending = new Set<TLSSocket>();

  constructor(options: {
    readonly files: CertificateFiles;
    readonly credentials: Credentials;
    readonly handshakeTimeoutMs: number;
    readonly onSecure: (socket: TLSSocket) => void;
    readonly onFailed: (socket: TLSSocket, error: Error) => void;
  }) {
    this.#files = options.files;
    this.#credentials = options.credentials;
    this.#handshakeTimeoutMs = options.handshakeTimeoutMs;
    this.#onSecure = options.onSecure;
    this.#onFailed = options.onFailed;
  }

  /** SHA-256 fingerprint of the certificate new sessions get. */
  get fingerprint(): string {
    return this.#credentials.fingerprint;
  }

  get files(): CertificateFiles {
    return this.#files;
  }

  /** Starts TLS on `socket`, whose unread first chunk is a ClientHello. */
  start(socket: Socket): void {
    // Node's TLSSocket takes over the TCP handle and first replays what the socket had
    // buffered (our unshifted ClientHello), so the handshake sees every byte.
    const tls = new TLSSocket(socket, { isServer: true, secureContext: this.#credentials.context });
    this.#pending.add(tls);
    const timer = setTimeout(
      () => fail(new Error('TLS handshake timed out')),
      this.#handshakeTimeoutMs,
    );
    timer.unref();
    const done = (): void => {
      clearTimeout(timer);
      this.#pending.delete(tls);
      tls.off('error', fail);
      tls.off('secure', secure);
      tls.off('close', done);
    };
    const secure = (): void => {
      done();
      this.#onSecure(tls);
    };
    const fail = (error: Error): void => {
      done();
      tls.on('error', ignore);
      tls.destroy();
      this.#onFailed(tls, error);
    };
    // 'secure' is the server-side end of the handshake (tls.Server itself listens to it).
    tls.once('secure', secure);
    tls.once('error', fail);
    tls.once('close', done);
  }

  /** Re-reads the certificate files; on failure the certificate in use stays. */
  async reload(): Promise<LoadResult> {
    const result = await loadCredentials(this.#files);
    if (result.ok) this.#credentials = result.credentials;
    return result;
  }

  /** Ends handshakes still in progress. */
  close(): void {
    for (const tls of this.#pending) tls.destroy();
    this.#pending.clear();
  }
}

function ignore(): void {}
