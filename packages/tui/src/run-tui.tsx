/** @jsxRuntime automatic */
/** @jsxImportSource react */
import type { Instance } from 'ink';
import { render } from 'ink';
import { App } from './app.js';
import type { CliOptions } from './cli-options.js';
import { ChatController } from './chat-controller.js';
import { BRACKETED_PASTE_OFF, BRACKETED_PASTE_ON } from './input/paste-filter.js';
import { Connection } from './net/connection.js';
import type { ConnectionOptions } from './net/connection.js';
import { formatEndpoint } from './net/endpoints.js';
import { ColourContext, noColourRequested } from './hooks/use-colour.js';

/** The checked command line (cli-options.ts), and with `--tls` the certificate check. */
export type TuiOptions = CliOptions & {
  /** TLS, with the certificate check for every connection; clear TCP when absent. */
  readonly secure?: ConnectionOptions['tls'];
};

const ENTER_ALT = '\x1b[?1049h\x1b[H';
const LEAVE_ALT = '\x1b[?1049l';

/**
 * Runs the chat in this terminal until the user leaves; resolves with the exit code. Uses the
 * alternate screen and bracketed paste when stdout is a terminal and gives the terminal back
 * as it was on every way out.
 */
export async function runTui(options: TuiOptions): Promise<number> {
  let inAlt = false;
  let bracketedPaste = false;
  const restoreScreen = (): void => {
    if (bracketedPaste) process.stdout.write(BRACKETED_PASTE_OFF);
    bracketedPaste = false;
    if (inAlt) process.stdout.write(LEAVE_ALT);
    inAlt = false;
  };
  if (options.altScreen && process.stdout.isTTY) {
    process.stdout.write(ENTER_ALT);
    inAlt = true;
  }
  // Pastes arrive marked, and the input line takes each as one draft (see input/paste-filter.ts).
  if (process.stdout.isTTY) {
    process.stdout.write(BRACKETED_PASTE_ON);
    bracketedPaste = true;
  }
  const { hosts, secure: tls } = options;
  const controller = new ChatController({
    name: options.name,
    address: formatEndpoint(hosts[0]),
    tls: tls !== undefined,
    password: options.password,
    showUsers: options.showUsers,
    makeTransport: (handlers) => new Connection({ hosts, tls }, handlers),
    bell: options.bell,
  });

  process.on('exit', restoreScreen);
  const onSignal = (): void => {
    void controller.quit();
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
  const instance: Instance = render(
    <ColourContext.Provider value={!noColourRequested(process.env)}>
      <App controller={controller} />
    </ColourContext.Provider>,
    {
      exitOnCtrlC: false,
      patchConsole: true,
      // The room's redraws are already batched (FLUSH_MS); a key press must not wait behind them
      // for a 30 fps slot.
      maxFps: 60,
      // Ink 6.8's incremental mode leaves stale rows behind in a full-screen layout.
      incrementalRendering: false,
    },
  );
  const failed = new Promise<number>((resolve) => {
    process.once('uncaughtException', (error) => {
      instance.unmount();
      restoreScreen();
      process.stderr.write(`ciao: ${error.stack ?? String(error)}\n`);
      resolve(1);
    });
  });
  const code = await Promise.race([instance.waitUntilExit().then(() => 0), failed]);
  restoreScreen();
  return code;
}
