import { createServer } from 'node:net';
import type { Socket } from 'node:net';
import type { ServerConfig } from './config.js';
import type { Logger } from './log.js';
import { createLogger } from './log.js';
import { Hub } from './hub.js';
import { encodeFrame } from '@ciao/protocol';

export const SERVER_NAME = 'ciao/0.1.0';

/** Connections accepted beyond `maxClients` while they register; the rest are refused at once. */
const UNREGISTERED_SLACK = 256;

export interface RunningServer {
  /** The port actually listened on (useful with port 0). */
  readonly port: number;
  readonly host: string;
  /** Graceful shutdown: `notice`, `error` `shutdown`, every connection closed within the grace. */
  close(): Promise<void>;
  /** For tests and the CLI: the live state. */
  readonly hub: Hub;
}

export class ListenError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

/** Listens and serves until `close()`. Rejects with a {@link ListenError} if it cannot listen. */
export async function startServer(
  config: ServerConfig,
  logger: Logger = createLogger(config.logLevel, config.logFormat),
): Promise<RunningServer> {
  const hub = new Hub(config, logger, SERVER_NAME);
  const server = createServer(
    {
      allowHalfOpen: true,
      noDelay: true,
      keepAlive: true,
      keepAliveInitialDelay: config.idlePingMs,
    },
    (socket) => onConnection(hub, socket),
  );
  server.maxConnections = config.maxClients + UNREGISTERED_SLACK + 64;
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
    close() {
      closing ??= (async () => {
        logger.info('shutdown', { connections: hub.sessions.size, users: hub.room.size });
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        await hub.shutdown(config.shutdownGraceMs);
        await stopped;
        logger.info('stopped');
      })();
      return closing;
    },
  };
}

function onConnection(hub: Hub, socket: Socket): void {
  if (hub.shuttingDown || hub.sessions.size >= hub.config.maxClients + UNREGISTERED_SLACK) {
    socket.on('error', ignore);
    socket.end(
      encodeFrame({
        type: 'error',
        code: hub.shuttingDown ? 'shutdown' : 'server_full',
        message: hub.shuttingDown ? 'the server is shutting down' : 'the server is full',
        fatal: true,
      }),
    );
    socket.destroySoon();
    return;
  }
  const session = hub.accept(socket);
  if (hub.log.enabled('info'))
    hub.log.info('connect', {
      conn: session.id,
      from: `${socket.remoteAddress}:${socket.remotePort}`,
    });
}

function ignore(): void {}
