#!/usr/bin/env node
/** @jsxRuntime automatic */
/** @jsxImportSource react */
import meow from 'meow';
import type { Instance } from 'ink';
import { render } from 'ink';
import { DEFAULT_PORT, validateName } from '@ciao/protocol';
import { App } from './app.js';
import { ChatController } from './chat-controller.js';
import { Connection } from './net/connection.js';

const cli = meow(
  `
  Usage
    $ pnpm tui --host HOST [--port 7777] [--name NAME] [--password PW]

  Options
    --host, -h      server host (default 127.0.0.1)
    --port, -p      server port (default ${DEFAULT_PORT})
    --name, -n      your name (asked for when missing)
    --password      the server's password, if it has one
    --no-users      start with the user list hidden (Ctrl+N toggles it)
    --no-alt-screen draw in the normal screen instead of the alternate one

  Keys
    Enter send · Up/Down input history · PgUp/PgDn, Shift+Up/Down scroll · End newest
    Tab complete names · Ctrl+N user list · Ctrl+C or /quit leave
`,
  {
    importMeta: import.meta,
    autoHelp: true,
    flags: {
      host: { type: 'string', shortFlag: 'h', default: '127.0.0.1' },
      port: { type: 'number', shortFlag: 'p', default: DEFAULT_PORT },
      name: { type: 'string', shortFlag: 'n', default: '' },
      password: { type: 'string' },
      users: { type: 'boolean', default: true },
      altScreen: { type: 'boolean', default: true },
    },
  },
);

const { host, port, password, users, altScreen } = cli.flags;
let name = cli.flags.name.trim();
if (name !== '') {
  const checked = validateName(name);
  if (!checked.ok) {
    process.stderr.write(`ciao: cannot use the name "${name}": ${checked.reason}\n`);
    process.exit(2);
  }
  name = checked.name;
}
if (!Number.isInteger(port) || port < 1 || port > 65_535) {
  process.stderr.write(`ciao: --port must be a number from 1 to 65535\n`);
  process.exit(2);
}

// eslint-disable-next-line prefer-const
let instance: Instance | undefined;
const ENTER_ALT = '\x1b[?1049h\x1b[H';
const LEAVE_ALT = '\x1b[?1049l';
let inAlt = false;
function restoreScreen(): void {
  if (inAlt) process.stdout.write(LEAVE_ALT);
  inAlt = false;
}
if (altScreen && process.stdout.isTTY) {
  process.stdout.write(ENTER_ALT);
  inAlt = true;
}
// Every way out gives the terminal back as it was.
process.on('exit', restoreScreen);
for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    void controller.quit().finally(() => {
      instance?.unmount();
      restoreScreen();
      process.exit(0);
    });
  });
}
process.on('uncaughtException', (error) => {
  instance?.unmount();
  restoreScreen();
  process.stderr.write(`ciao: ${error.stack ?? String(error)}\n`);
  process.exit(1);
});

const address = `${host}:${port}`;
const controller = new ChatController({
  name,
  address,
  password,
  showUsers: users,
  makeTransport: (handlers) => new Connection({ host, port }, handlers),
});
instance = render(<App controller={controller} />, {
  exitOnCtrlC: false,
  patchConsole: true,
  // Ink 6.8's incremental mode leaves stale rows behind in a full-screen layout.
  incrementalRendering: false,
});
await instance.waitUntilExit();
restoreScreen();
process.exit(0);
