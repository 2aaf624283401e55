#!/usr/bin/env node
import meow from 'meow';
import { DEFAULT_PORT, DEFAULTS } from '@ciao/protocol';
import { configFromFlags } from './config.js';
import { ListenError, startServer } from './server.js';

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
    --history N         events kept for replay (default ${DEFAULTS.historySize})
    --rate N            messages per second per connection (default ${DEFAULTS.ratePerSec})
    --burst N           message burst per connection (default ${DEFAULTS.rateBurst})
    --max-output SIZE   pending output before a reader is dropped as a slow consumer,
                        bytes or with a unit: 512k, 4MiB (default 4MiB)
    --idle-timeout DUR  drop a connection silent this long: seconds, or 500ms, 2m
                        (default 75; a ping goes out at 40% of it)
    --log-level LEVEL   debug, info, warn, error or silent (default info)
    --log-format FMT    pretty or json (default pretty)

  Connect with
    pnpm tui --host HOST        or        nc HOST ${DEFAULT_PORT}
`,
  {
    importMeta: import.meta,
    allowUnknownFlags: false,
    flags: {
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
      logLevel: { type: 'string' },
      logFormat: { type: 'string' },
    },
  },
);

if (cli.input.length > 0) {
  process.stderr.write(`error: unexpected argument "${cli.input[0]}" (see --help)\n`);
  process.exit(2);
}
const parsed = configFromFlags(cli.flags);
if (!parsed.ok) {
  process.stderr.write(`error: ${parsed.message}\n`);
  process.exit(2);
}
const config = parsed.config;

try {
  const server = await startServer(config);
  const shown = config.host === '0.0.0.0' || config.host === '::' ? 'HOST' : config.host;
  process.stdout.write(
    `ciao server listening on ${config.host}:${server.port}\n` +
      `  connect: pnpm tui --host ${shown}${server.port === DEFAULT_PORT ? '' : ` --port ${server.port}`}` +
      `   or   nc ${shown} ${server.port}\n`,
  );
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
  if (err instanceof ListenError) {
    process.stderr.write(`error: ${err.message}\n`);
    process.exit(1);
  }
  throw err;
}
