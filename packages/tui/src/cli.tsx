#!/usr/bin/env node
import { homedir } from 'node:os';
import meow from 'meow';
import { DEFAULT_PORT } from '@ciao/protocol';
import { parseCliOptions, unknownFlag } from './cli-options.js';
import type { TlsConnection } from './trust/establish-trust.js';

const cli = meow(
  `
  Usage
    $ pnpm tui --host HOST[,HOST...] [--port ${DEFAULT_PORT}] [--tls] [--name NAME] [--password PW]

  Options
    --host HOST     server address, or HOST:PORT (default 127.0.0.1). Several
                    servers of one room: a:7000,b:7001 (or --host again); the first
                    is tried first, each reconnect moves on to the next
    --port, -p N    server port for hosts given without one (default ${DEFAULT_PORT})
    --name, -n NAME your name (asked for when missing)
    --password PW   the server's password, if it has one (asked for when missing)
    --tls           connect over TLS; a certificate no trusted CA signed is shown
                    and, once you accept it, pinned in ~/.config/ciao/known_servers
                    (each server of a list on its own)
    --bell MODE     when the bell rings: off, mentions (default; private messages
                    count as mentions) or all; /bell changes it
    --no-users      start with the user list hidden (Ctrl+N toggles it)
    --no-alt-screen draw in the normal screen instead of the alternate one
    --help, -h      this help

  Keys
    Enter send · Alt+Enter new line · Up/Down input history · PgUp/PgDn, Shift+Up/Down scroll
    End newest · Tab complete names and /commands · Ctrl+N user list · Ctrl+L redraw
    Ctrl+Home oldest · Ctrl+R/Ctrl+S search older/newer · Ctrl+T reconnect now
    Ctrl+Up/Down scroll the user list · Ctrl+C or /quit leave
    a paste becomes one draft (Enter sends it as one message, Esc cancels)

  Environment
    NO_COLOR=1          no colours (bold, reverse and dim still mark mentions)
    CIAO_DEBUG_LOG=FILE append debug lines (e.g. frames the client dropped) to FILE
`,
  {
    importMeta: import.meta,
    autoHelp: true,
    // Refused below with a pointer to --help (meow's own refusal names only the flag).
    allowUnknownFlags: true,
    flags: {
      help: { type: 'boolean', shortFlag: 'h' },
      // Repeatable, each a comma-separated list; none means 127.0.0.1 (cli-options.ts).
      host: { type: 'string', isMultiple: true },
      port: { type: 'string', shortFlag: 'p' },
      name: { type: 'string', shortFlag: 'n', default: '' },
      password: { type: 'string' },
      tls: { type: 'boolean', default: false },
      bell: { type: 'string', default: 'mentions' },
      users: { type: 'boolean', default: true },
      altScreen: { type: 'boolean', default: true },
    },
  },
);

if (cli.flags.help) cli.showHelp(0);
const unknown = unknownFlag(cli.flags, [
  'help',
  'host',
  'port',
  'name',
  'password',
  'tls',
  'bell',
  'users',
  'altScreen',
]);
const parsed = unknown
  ? { ok: false as const, message: `unknown flag ${unknown} (see --help)` }
  : parseCliOptions(cli.flags, cli.input);
if (!parsed.ok) {
  process.stderr.write(`ciao: ${parsed.message}\n`);
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
// development one costs several times the CPU in a busy room. (The bundle `pnpm tui` runs has
// the production builds compiled in; this covers running the compiled modules directly.)
const env = process.env;
env.NODE_ENV ??= 'production';
let secure: TlsConnection | undefined;
if (parsed.options.tls) {
  const { establishTrustAll, tlsConnection } = await import('./trust/establish-trust.js');
  const { askTrust } = await import('./trust/ask-trust.js');
  const { knownServersPath } = await import('./trust/known-servers.js');
  const file = knownServersPath(process.env, homedir());
  // Before the chat starts: a changed certificate stops here, in the normal screen, loudly;
  // each new server of the list is asked about in turn.
  const trust = await establishTrustAll(parsed.options.hosts, file, (server, fingerprint) =>
    askTrust(server, fingerprint, file),
  );
  if (!trust.ok) {
    process.stderr.write(`${trust.message}\n`);
    process.exit(1);
  }
  secure = tlsConnection(trust.servers);
}
const { runTui } = await import('./run-tui.js');
const code = await runTui({ ...parsed.options, secure });
process.exit(code);
