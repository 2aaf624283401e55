#!/usr/bin/env node
import meow from 'meow';
import { DEFAULT_PORT, validateName } from '@ciao/protocol';

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

// Ink needs a terminal it can put in raw mode; piped or redirected input would end in a stack trace.
if (!process.stdin.isTTY || !process.stdout.isTTY) {
  process.stderr.write('ciao: the chat client needs an interactive terminal (stdin and stdout)\n');
  process.exit(2);
}

// Ink draws only the last frame, on exit, when it believes it runs in CI (`is-in-ci` reads these
// variables when Ink is first loaded). This is an interactive client on a terminal (checked above),
// so it must draw live whatever the environment says, e.g. when started from a CI job's pty.
for (const variable of ['CI', 'CONTINUOUS_INTEGRATION']) {
  delete process.env[variable];
}

// React and Ink pick their development or production build when first loaded: the
// development one costs several times the CPU in a busy room.
process.env.NODE_ENV ??= 'production';
const { runTui } = await import('./run-tui.js');
const code = await runTui({ host, port, name, password, showUsers: users, altScreen });
process.exit(code);
