#!/usr/bin/env node
import meow from 'meow';
import { DEFAULT_PORT, DEFAULTS } from '@ciao/protocol';
import { configFromFlags, describeRetention } from './config.js';
import { ListenError, startServer } from './server.js';
import { resolveDataDir } from './data-dir.js';
import { StoreError } from './store/open-log.js';
import { ensureSelfSigned } from './tls/credentials.js';

const FLAGS = {
  port: { type: 'string' },
  host: { type: 'string' },
  password: { type: 'string' },
  motd: { type: 'string' },
  maxClients: { type: 'string' },
  history: { type: 'string' },
  rate: { type: 'string' },
  burst: { type: 'string' },
  maxOutput: { type: 'string' },
  idleTimeout: { type: 'string' },
  registerTimeout: { type: 'string' },
  maxWaitingPerAddress: { type: 'string' },
  maxWaiting: { type: 'string' },
  logLevel: { type: 'string' },
  logFormat: { type: 'string' },
  data: { type: 'string' },
  retain: { type: 'string' },
  persist: { type: 'boolean', default: true },
  tlsCert: { type: 'string' },
  tlsKey: { type: 'string' },
  requireTls: { type: 'boolean' },
  redis: { type: 'string' },
} as const;

const cli = meow(
  `
  Usage
    $ pnpm server [options]

  Options
    --port N            TCP port (default ${DEFAULT_PORT})
    --host ADDR         address to listen on (default 0.0.0.0)
    --password TEXT     require this password in hello
    --motd TEXT         message of the day, shown after the welcome
    --max-clients N     registered users at most (default 10000)
    --history N         events kept for replay with --no-persist (default ${DEFAULTS.historySize})
    --rate N            messages per second per connection (default ${DEFAULTS.ratePerSec})
    --burst N           message burst per connection (default ${DEFAULTS.rateBurst})
    --max-output SIZE   pending output before a reader is dropped as a slow consumer,
                        bytes or with a unit: 512k, 4MiB (default 4MiB)
    --idle-timeout DUR  drop a connection silent this long: seconds, or 500ms, 2m
                        (default 75; a ping goes out at 40% of it)
    --register-timeout DUR
                        close a connection that has not said hello this long
                        (default ${DEFAULTS.registerTimeoutMs / 1000})
    --max-waiting-per-address N
                        connections from one address that may wait to say hello at
                        once; past it the oldest is closed (default ${DEFAULTS.maxUnregisteredPerAddress})
    --max-waiting N     the same, from all addresses (default ${DEFAULTS.maxUnregistered})
    --log-level LEVEL   debug, info, warn, error or silent (default info)
    --log-format FMT    pretty or json (default pretty)
    --data DIR          where the server keeps the room (history, tokens) and its
                        self-signed certificate (default $XDG_STATE_HOME/ciao, else
                        ~/.local/state/ciao)
    --retain KEEP       history kept there: a number of events, an age (30d, 12h,
                        90m) or both: 100000,30d (default 100000)
    --no-persist        keep the room in memory only: a restart forgets it
    --tls-cert FILE     TLS certificate (PEM, chain allowed) instead of the self-signed one;
    --tls-key FILE        both re-read on SIGHUP
    --require-tls       refuse clear-text sessions from other machines
    --redis URL         share one room with every server on this Redis
                        (redis://HOST:PORT or unix:/path/redis.sock; also $CIAO_REDIS_URL);
                        history then lives in Redis, --retain sets its length

  TLS shares the port: a client that starts with a TLS handshake gets TLS, others clear text.

  Connect with
    pnpm tui --host HOST [--tls]        or        nc HOST ${DEFAULT_PORT}
    over TLS with no client: ncat --ssl HOST ${DEFAULT_PORT}, openssl s_client -connect HOST:${DEFAULT_PORT} -quiet
`,
  {
    importMeta: import.meta,
    // Unknown flags are reported below, with a pointer to --help (meow's own message has none).
    allowUnknownFlags: true,
    flags: FLAGS,
  },
);

const unknown = Object.keys(cli.flags).find((flag) => !(flag in FLAGS));
if (unknown !== undefined) {
  const shown = unknown.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  process.stderr.write(`error: unknown flag --${shown} (see --help)\n`);
  process.exit(2);
}
if (cli.input.length > 0) {
  process.stderr.write(`error: unexpected argument "${cli.input[0]}" (see --help)\n`);
  process.exit(2);
}
if (!cli.flags.persist && cli.flags.retain !== undefined) {
  process.stderr.write('error: --no-persist keeps no history: drop --retain\n');
  process.exit(2);
}
const redisFromEnv = process.env['CIAO_REDIS_URL'];
const parsed = configFromFlags({
  ...cli.flags,
  ...(cli.flags.redis === undefined && redisFromEnv ? { redis: redisFromEnv } : {}),
});
if (!parsed.ok) {
  process.stderr.write(`error: ${parsed.message}\n`);
  process.exit(2);
}
const dataDir = resolveDataDir(cli.flags.data, process.env);
// With --redis the room lives in Redis; the data directory still holds the certificate.
let config =
  cli.flags.persist && parsed.config.redis === undefined
    ? { ...parsed.config, dataDir }
    : parsed.config;

try {
  let created: string | undefined;
  if (config.tls === undefined) {
    const selfSigned = await ensureSelfSigned(dataDir);
    config = { ...config, tls: selfSigned.files };
    if (selfSigned.created) created = selfSigned.files.certFile;
  }
  const server = await startServer(config);
  const shown = config.host === '0.0.0.0' || config.host === '::' ? 'HOST' : config.host;
  // One write, so a reader of the first line also has the fingerprint.
  process.stdout.write(
    `ciao server listening on ${config.host}:${server.port}\n` +
      `  connect: pnpm tui --host ${shown}${server.port === DEFAULT_PORT ? '' : ` --port ${server.port}`}` +
      `   or   nc ${shown} ${server.port}\n` +
      (server.tls
        ? `  tls: ${created ? 'created a self-signed certificate, ' : ''}${server.tls.files.certFile}\n` +
          `  tls: SHA-256 fingerprint ${server.tls.fingerprint}\n`
        : '') +
      (config.requireTls ? '  clear text refused from other machines (--require-tls)\n' : '') +
      (config.redis !== undefined
        ? `  room: shared through Redis at ${config.redis} (${describeRetention(config.retention)}), ` +
          `epoch ${server.hub.room.epoch}, last seq ${server.hub.room.seq}, ${server.hub.room.size} in the room\n`
        : config.dataDir === undefined
          ? `  history: in memory only (--no-persist): a restart forgets it\n`
          : `  history: kept in ${config.dataDir} (${describeRetention(config.retention)}), ` +
            `epoch ${server.hub.room.epoch}, last seq ${server.hub.room.seq}\n`),
  );
  if (server.tls) {
    const tls = server.tls;
    process.on('SIGHUP', () => {
      void tls.reload().then((result) => {
        process.stdout.write(
          result.ok
            ? `tls: reloaded, SHA-256 fingerprint ${result.credentials.fingerprint}\n`
            : `tls: reload failed, keeping the certificate in use: ${result.message}\n`,
        );
      });
    });
  }
  let signals = 0;
  const stop = (signal: NodeJS.Signals): void => {
    if (++signals > 1) {
      process.stderr.write(`${signal} again: exiting now\n`);
      process.exit(1);
    }
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
} catch (err) {
  if (err instanceof ListenError || err instanceof StoreError) {
    process.stderr.write(`error: ${err.message}\n`);
    process.exit(1);
  }
  throw err;
}
