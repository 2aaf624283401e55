import net from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { ClientFrame, ServerFrame } from '@ciao/protocol';
import { encodeFrameString, FrameDecoder, LIMITS, validateServerFrame } from '@ciao/protocol';
import { debugLog } from '../debug-log.js';
import type { ConnStatus } from '../state/chat-reducer.js';
import type { Endpoint, Endpoints } from './endpoints.js';
import { formatEndpoint, nextEndpoint } from './endpoints.js';
import type { Liveness, LivenessOptions } from './liveness.js';
import { heard, livenessStep } from './liveness.js';
import { backoffDelay, describeSocketError } from './reconnect-policy.js';

/** What a transport tells its owner. */
export interface TransportHandlers {
  /** A socket is open: send `hello` now. */
  onOpen(): void;
  /** A valid server frame arrived. */
  onFrame(frame: ServerFrame): void;
  onStatus(status: ConnStatus): void;
  /** How late our ping's answer is (undefined: not late). Default: ignored. */
  onLag?(lagMs: number | undefined): void;
}

/** The connection as the chat controller sees it; tests plug in a fake. */
export interface Transport {
  start(): void;
  /** Writes a frame if a socket is open; false otherwise. */
  send(frame: ClientFrame): boolean;
  /** The session is registered: reset the backoff. */
  markRegistered(): void;
  /** Stops for good: closes the socket (after writing what is queued), no more retries. */
  stop(reason: string): Promise<void>;
  /** No more retries until `reconnectNow` (the server wants something only the user can give). */
  hold(): void;
  /** Connects again at once: ends a wait for the next retry, a hold, or an unresponsive socket. */
  reconnectNow(): void;
}

/** Why the certificate check refused a connection. */
export interface Refusal {
  readonly reason: string;
  /** Stop for good (a changed certificate); otherwise only this server is passed over. */
  readonly final: boolean;
}

export interface ConnectionOptions {
  /** The servers: the first is tried first, each later attempt moves on to the next. */
  readonly hosts: Endpoints;
  /** Default: `net.connect`. */
  readonly connect?: (host: string, port: number) => net.Socket;
  readonly random?: () => number;
  /** Ping, lag and drop thresholds. Default LIVENESS_DEFAULTS. */
  readonly liveness?: LivenessOptions;
  /** How often liveness is checked (and lag re-reported). Default 1 s. */
  readonly livenessTickMs?: number;
  /** Give up a connection attempt after this long. Default 10 s. */
  readonly connectTimeoutMs?: number;
  /**
   * TLS instead of clear TCP: `connect` opens the socket, `verify` looks at the certificate
   * after the handshake and before anything is sent; a refusal closes the socket unused.
   */
  readonly tls?: {
    readonly connect: (host: string, port: number) => TLSSocket;
    readonly verify: (socket: TLSSocket, server: Endpoint) => Refusal | undefined;
  };
}

/**
 * A TCP connection to a ciao server that reconnects with backoff and jitter until stopped.
 * Given several servers (sharing one room), every attempt after the first goes to the next one
 * in the list, round robin: a server that died or is unreachable is left behind at once.
 * Frames are decoded with the protocol's FrameDecoder and checked with validateServerFrame;
 * anything malformed or unknown is dropped (forward compatibility), with a debug line saying so.
 */
export class Connection implements Transport {
  private socket: net.Socket | undefined;
  private attempt = 0;
  /** The server of the current (or last) attempt, an index into `options.hosts`. */
  private index = 0;
  private opened = false;
  private stopped = false;
  private held = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private liveness: Liveness = heard(0);
  private lagMs: number | undefined;

  constructor(
    private readonly options: ConnectionOptions,
    private readonly handlers: TransportHandlers,
  ) {}

  start(): void {
    this.open();
  }

  private open(): void {
    if (this.stopped) return;
    const { hosts, tls } = this.options;
    if (this.opened) this.index = nextEndpoint(this.index, hosts.length);
    this.opened = true;
    const server = hosts[this.index]!;
    this.handlers.onStatus({
      state: 'connecting',
      attempt: this.attempt,
      server: formatEndpoint(server),
    });
    const connect = this.options.connect ?? ((host, port) => net.connect({ host, port }));
    const secure = tls?.connect(server.host, server.port);
    const socket = secure ?? connect(server.host, server.port);
    this.socket = socket;
    const decoder = new FrameDecoder(LIMITS.maxServerFrameBytes);
    let failure = 'connection closed by the server';
    socket.setNoDelay(true);
    socket.setTimeout(this.options.connectTimeoutMs ?? 10_000, () => {
      failure = 'connection timed out';
      socket.destroy();
    });
    socket.once(secure ? 'secureConnect' : 'connect', () => {
      const refused = secure && tls?.verify(secure, server);
      if (refused && refused.final) {
        this.stopped = true;
        socket.destroy();
        this.handlers.onStatus({ state: 'stopped', reason: refused.reason });
        return;
      }
      if (refused) {
        failure = refused.reason;
        socket.destroy();
        return;
      }
      socket.setTimeout(0);
      this.heard();
      this.handlers.onOpen();
      this.armIdle();
    });
    socket.on('data', (chunk: Buffer) => {
      this.heard();
      for (const decoded of decoder.push(chunk)) {
        // Non-JSON lines (a plain-text prompt) and frames this version does not know are skipped.
        if (!decoded.ok) {
          debugLog(`dropped a line from the server: ${decoded.error.message}`);
          continue;
        }
        const checked = validateServerFrame(decoded.frame);
        if (checked.ok) this.handlers.onFrame(checked.frame);
        else
          debugLog(
            `dropped a frame from the server (${checked.error.code}): ${checked.error.message}`,
          );
      }
    });
    socket.on('error', (error) => {
      failure = describeSocketError(error);
    });
    socket.on('close', () => {
      // A socket replaced by reconnectNow is not this connection's news any more.
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.clearIdle();
      this.scheduleRetry(failure);
    });
  }

  private heard(): void {
    this.liveness = heard(Date.now());
    this.reportLag(undefined);
  }

  private reportLag(lagMs: number | undefined): void {
    if (lagMs === this.lagMs) return;
    this.lagMs = lagMs;
    this.handlers.onLag?.(lagMs);
  }

  private armIdle(): void {
    this.clearIdle();
    this.idleTimer = setInterval(() => {
      const step = livenessStep(this.liveness, Date.now(), this.options.liveness);
      this.liveness = step.state;
      if (step.ping) this.send({ type: 'ping', nonce: `c${Date.now()}` });
      // Whole seconds: the status bar shows seconds, so it redraws once a second at most.
      this.reportLag(step.lagMs === undefined ? undefined : Math.floor(step.lagMs / 1000) * 1000);
      if (step.drop) this.socket?.destroy();
    }, this.options.livenessTickMs ?? 1_000);
    this.idleTimer.unref();
  }

  private clearIdle(): void {
    if (this.idleTimer) clearInterval(this.idleTimer);
    this.idleTimer = undefined;
  }

  private scheduleRetry(reason: string): void {
    this.reportLag(undefined);
    if (this.stopped || this.held) return;
    this.attempt++;
    const delay = backoffDelay(this.attempt, this.options.random);
    const { hosts } = this.options;
    this.handlers.onStatus({
      state: 'offline',
      reason,
      attempt: this.attempt,
      retryInMs: delay,
      ...(hosts.length > 1
        ? { next: formatEndpoint(hosts[nextEndpoint(this.index, hosts.length)]!) }
        : {}),
    });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.open();
    }, delay);
  }

  send(frame: ClientFrame): boolean {
    const socket = this.socket;
    if (!socket || socket.destroyed || !socket.writable || socket.connecting) return false;
    socket.write(encodeFrameString(frame));
    return true;
  }

  markRegistered(): void {
    this.attempt = 0;
  }

  hold(): void {
    this.held = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  reconnectNow(): void {
    if (this.stopped) return;
    this.held = false;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const old = this.socket;
    this.socket = undefined;
    this.clearIdle();
    old?.destroy();
    this.open();
  }

  stop(reason: string): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.clearIdle();
    this.handlers.onStatus({ state: 'stopped', reason });
    const socket = this.socket;
    if (!socket || socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      // A server that never closes its side must not keep us waiting.
      const timer = setTimeout(() => {
        socket.destroy();
        done();
      }, 1_000);
      socket.once('close', done);
      socket.end();
    });
  }
}
