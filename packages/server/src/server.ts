import { createServer } from 'node:net';
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import type { ServerConfig } from './config.js';
import { DEFAULT_RETENTION } from './config.js';
import type { Logger } from './log.js';
import { createLogger } from './log.js';
import { Hub } from './hub.js';
import { LIMITS, encodeFrame } from '@ciao/protocol';
import type { Session } from './session.js';
import { SharedRoom } from './shared-room.js';
import { RedisStore } from './store/redis-store.js';
import type { CertificateFiles, Credentials } from './tls/credentials.js';
import { loadCredentials } from './tls/credentials.js';
import { clearTextRefusal, refusesClearText } from './tls/first-byte.js';
import { sniffFirstMove } from './tls/sniff.js';
import { TlsFront } from './tls/tls-front.js';
import { StoreError, openRoomLog } from './store/open-log.js';

export const SERVER_NAME = 'ciao/0.1.0';

/**
 * Sockets beyond registered members and waiting connections: those closing (they may take a
 * few seconds to read their last bytes). Past it the kernel's backlog holds new connections.
 */
const CLOSING_SLACK = 1_024;

/**
 * With a shared room, a server that shuts down keeps its members' names this long: their
 * clients reconnect to another server with their tokens and reclaim them (no leave, no join);
 * the ones that do not come back are reaped with one leave each.
 */
const RECLAIM_GRACE_MS = 10_000;

export interface RunningServer {
  /** The port actually listened on (useful with port 0). */
  readonly port: number;
  readonly host: string;
  /** Graceful shutdown: `notice`, `error` `shutdown`, every connection closed within the grace. */
  close(): Promise<void>;
  /** For tests and the CLI: the live state. */
  readonly hub: Hub;
  /** TLS on the same port, when a certificate is configured: its fingerprint and reload. */
  readonly tls: Pick<TlsFront, 'fingerprint' | 'files' | 'reload'> | undefined;
}

export class ListenError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

/**
 * Opens the room log, listens and serves until `close()`. Rejects with a {@link ListenError}
 * if it cannot listen, a {@link StoreError} if it cannot open the data directory.
 */
export async function startServer(
  config: ServerConfig,
  logger: Logger = createLogger(config.logLevel, config.logFormat),
): Promise<RunningServer> {
  const credentials = config.tls ? await loadTls(config.tls, logger) : undefined;
  const { hub, close: closeRoom } = await openRoom(config, logger);
  const tls =
    config.tls && credentials
      ? new TlsFront({
          files: config.tls,
          credentials,
          // A handshake is part of registering: the same deadline as a clear-text hello.
          handshakeTimeoutMs: config.registerTimeoutMs,
          onSecure: (socket) => adopt(hub, socket),
          onFailed: (socket, error) => {
            if (logger.enabled('info'))
              logger.info('tls handshake failed', {
                from: `${socket.remoteAddress}:${socket.remotePort}`,
                error: error.message,
              });
          },
        })
      : undefined;
  const front: Front = { hub, tls };
  const server = createServer(
    {
      allowHalfOpen: true,
      noDelay: true,
      keepAlive: true,
      keepAliveInitialDelay: config.idlePingMs,
    },
    (socket) => onConnection(front, socket),
  );
  server.maxConnections = config.maxClients + config.maxUnregistered + CLOSING_SLACK;
  server.on('drop', () => logger.warn('connection refused: too many connections'));
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      reject(
        new ListenError(
          err.code === 'EADDRINUSE'
            ? `port ${config.port} is already in use (try --port N)`
            : err.code === 'EACCES'
              ? `no permission to listen on port ${config.port} (try a port above 1023)`
              : err.code === 'EADDRNOTAVAIL'
                ? `cannot listen on ${config.host}: no such address here`
                : `cannot listen on ${config.host}:${config.port}: ${err.message}`,
          err.code,
        ),
      );
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ port: config.port, host: config.host, backlog: 4096 });
  }).catch(async (err: unknown) => {
    hub.stopTimers();
    await closeRoom();
    throw err;
  });
  server.on('error', (err) => logger.error('server error', { error: err.message }));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  logger.info('listening', { host: config.host, port });

  let closing: Promise<void> | undefined;
  return {
    port,
    host: config.host,
    hub,
    tls: front.tls,
    close() {
      closing ??= (async () => {
        logger.info('shutdown', { connections: hub.sessions.size, users: hub.room.size });
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        front.tls?.close();
        await hub.shutdown(config.shutdownGraceMs);
        await stopped;
        await closeRoom();
        logger.info('stopped');
      })();
      return closing;
    },
  };
}

/**
 * The hub over the room the config asks for: shared through Redis, or this process's own
 * (SQLite in the data directory, or memory only).
 */
async function openRoom(
  config: ServerConfig,
  logger: Logger,
): Promise<{ hub: Hub; close: () => Promise<void> }> {
  if (config.redis === undefined) {
    const roomLog = openRoomLog(config);
    const hub = new Hub(config, logger, SERVER_NAME, roomLog);
    return { hub, close: async () => roomLog.close() };
  }
  const store = new RedisStore({
    url: config.redis,
    maxLen: config.retention.count ?? DEFAULT_RETENTION.count!,
    dedupeWindow: LIMITS.dedupeWindow,
    log: logger,
  });
  let room: SharedRoom<Session> | undefined;
  const hub = new Hub(config, logger, SERVER_NAME, (sink) => {
    room = new SharedRoom<Session>(store, sink, {
      historySize: config.retention.count ?? DEFAULT_RETENTION.count!,
    });
    return room;
  });
  try {
    await room!.start();
  } catch (err) {
    hub.stopTimers();
    await store.close();
    throw new StoreError(`cannot reach Redis at ${config.redis}: ${(err as Error).message}`);
  }
  // A closing server's members keep their names a little while, to reclaim them elsewhere.
  return { hub, close: () => room!.close(RECLAIM_GRACE_MS) };
}

/** What the accept path needs: the hub, and the TLS side when there is one. */
interface Front {
  readonly hub: Hub;
  readonly tls: TlsFront | undefined;
}

/** The configured certificate, or a {@link ListenError} saying why it cannot be used. */
async function loadTls(files: CertificateFiles, logger: Logger): Promise<Credentials> {
  const loaded = await loadCredentials(files);
  if (!loaded.ok) throw new ListenError(loaded.message, undefined);
  logger.info('tls', { cert: files.certFile, fingerprint: loaded.credentials.fingerprint });
  return loaded.credentials;
}

/**
 * A new TCP connection. With TLS or `--require-tls`, its first bytes decide (PROTOCOL.md,
 * transport): a ClientHello (0x16) starts TLS and the session begins after the handshake;
 * anything else, or a second of silence, is a clear-text session as before.
 */
function onConnection(front: Front, socket: Socket): void {
  const { hub } = front;
  if (refuseWhenFull(hub, socket)) return;
  if (front.tls === undefined && !hub.config.requireTls) {
    adopt(hub, socket);
    return;
  }
  const waitMs = hub.config.plainPromptDelayMs;
  sniffFirstMove(socket, waitMs, (move, first) => {
    if (move === 'gone' || refuseWhenFull(hub, socket)) return;
    if (move === 'tls' && front.tls) {
      front.tls.start(socket);
      return;
    }
    if (refusesClearText(hub.config.requireTls, socket.remoteAddress)) {
      refuseClearText(hub, socket, first);
      return;
    }
    // After a silent second the prompt is due now, not a second later.
    adopt(hub, socket, move === 'silent' ? 0 : undefined);
  });
}

/**
 * Refuses a connection when the server is shutting down; true if it did. Unregistered
 * connections never refuse a newcomer (the hub closes the oldest instead), and registered ones
 * are counted at `hello`.
 */
function refuseWhenFull(hub: Hub, socket: Socket): boolean {
  if (!hub.shuttingDown) return false;
  socket.on('error', ignore);
  socket.end(
    encodeFrame({
      type: 'error',
      code: 'shutdown',
      message: 'the server is shutting down',
      fatal: true,
    }),
  );
  socket.destroySoon();
  return true;
}

/** `--require-tls`: one line saying why, then the connection is closed. */
function refuseClearText(hub: Hub, socket: Socket, first: Buffer | undefined): void {
  socket.on('error', ignore);
  socket.end(clearTextRefusal(first));
  socket.destroySoon();
  if (hub.log.enabled('info'))
    hub.log.info('clear text refused', { from: `${socket.remoteAddress}:${socket.remotePort}` });
}

/** Hands a connection (TCP or TLS) to the hub as a session. */
function adopt(hub: Hub, socket: Socket, promptDelayMs?: number): void {
  if (refuseWhenFull(hub, socket)) return;
  const session = hub.accept(socket, promptDelayMs);
  // The sniffer left the socket paused with its first chunk pushed back.
  socket.resume();
  if (hub.log.enabled('info'))
    hub.log.info('connect', {
      conn: session.id,
      from: `${socket.remoteAddress}:${socket.remotePort}`,
      ...(socket instanceof TLSSocket ? { tls: true } : {}),
    });
}

function ignore(): void {}
