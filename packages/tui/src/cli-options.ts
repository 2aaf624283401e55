import { DEFAULT_PORT, validateName } from '@ciao/protocol';
import type { BellMode } from './state/chat-reducer.js';
import { BELL_MODES } from './state/chat-reducer.js';

/** What the client's command line asks for, checked. */
export interface CliOptions {
  readonly host: string;
  readonly port: number;
  /** '' asks for a name first. */
  readonly name: string;
  readonly password?: string;
  readonly showUsers: boolean;
  readonly altScreen: boolean;
  /** Connect over TLS (trust on first use). */
  readonly tls: boolean;
  readonly bell: BellMode;
}

/** The flags as meow hands them over. */
export interface RawCliFlags {
  readonly host: string;
  readonly port?: string;
  readonly name: string;
  readonly password?: string;
  readonly users: boolean;
  readonly altScreen: boolean;
  readonly tls?: boolean;
  /** Default 'mentions'. */
  readonly bell?: string;
}

export type CliParse =
  | { readonly ok: true; readonly options: CliOptions }
  | { readonly ok: false; readonly message: string };

/**
 * Checks the command line: no stray arguments, a port from 1 to 65535, a valid name. A host
 * written as `HOST:PORT` (or `[v6]:PORT`) is split, since that is how people write addresses;
 * a `--port` that disagrees with it is an error rather than a guess.
 */
export function parseCliOptions(flags: RawCliFlags, input: readonly string[]): CliParse {
  if (input.length > 0) {
    return fail(`unexpected argument "${input[0]}" (flags start with --; see --help)`);
  }
  let host = flags.host.trim();
  let portText = flags.port?.trim();
  const withPort = /^(?:\[([^\]]+)\]|([^:]+)):(\d*)$/.exec(host);
  if (withPort) {
    host = withPort[1] ?? withPort[2]!;
    const inHost = withPort[3]!;
    if (inHost === '') return fail(`--host "${flags.host}" ends with ":" but no port`);
    if (portText !== undefined && Number(portText) !== Number(inHost)) {
      return fail(`--host ${flags.host} and --port ${portText} disagree: give the port once`);
    }
    portText = inHost;
  } else if (host.startsWith('[') && host.endsWith(']')) {
    host = host.slice(1, -1);
  }
  if (host === '') return fail('--host needs an address, e.g. --host 127.0.0.1');
  const port = portText === undefined ? DEFAULT_PORT : Number(portText);
  if (!/^\d+$/.test(portText ?? String(DEFAULT_PORT)) || port < 1 || port > 65_535) {
    return fail(`--port must be a number from 1 to 65535, not "${portText}"`);
  }
  let name = flags.name.trim();
  if (name !== '') {
    const checked = validateName(name);
    if (!checked.ok) return fail(`cannot use the name "${name}": ${checked.reason}`);
    name = checked.name;
  }
  const bell = BELL_MODES.find((mode) => mode === (flags.bell ?? 'mentions').toLowerCase());
  if (bell === undefined) return fail(`--bell must be off, mentions or all, not "${flags.bell}"`);
  return {
    ok: true,
    options: {
      host,
      port,
      name,
      ...(flags.password === undefined ? {} : { password: flags.password }),
      showUsers: flags.users,
      altScreen: flags.altScreen,
      tls: flags.tls === true,
      bell,
    },
  };
}

function fail(message: string): CliParse {
  return { ok: false, message };
}

/**
 * The first flag that is not one of `known`, as typed (`--foo-bar`, `-x`), or undefined. meow's
 * own refusal prints only the flag; ours says where the list of flags is.
 */
export function unknownFlag(
  given: Readonly<Record<string, unknown>>,
  known: readonly string[],
): string | undefined {
  const name = Object.keys(given).find((key) => !known.includes(key));
  if (name === undefined) return undefined;
  return name.length === 1
    ? `-${name}`
    : `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}
