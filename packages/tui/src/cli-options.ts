import { DEFAULT_PORT, validateName } from '@ciao/protocol';
import type { Endpoint, Endpoints } from './net/endpoints.js';
import { formatEndpoint } from './net/endpoints.js';
import type { BellMode } from './state/chat-reducer.js';
import { BELL_MODES } from './state/chat-reducer.js';

/** What the client's command line asks for, checked. */
export interface CliOptions {
  /** The servers, in order: the first is tried first, each reconnect moves to the next. */
  readonly hosts: Endpoints;
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
  /** Every `--host` given, each a comma-separated list; none (or undefined) means 127.0.0.1. */
  readonly host?: readonly string[];
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
 * Checks the command line: no stray arguments, a port from 1 to 65535, a valid name. `--host`
 * takes a comma-separated list (and may be repeated); each entry written as `HOST:PORT` (or
 * `[v6]:PORT`) is split, since that is how people write addresses, and `--port` is the port
 * of entries without one. With a single host, a `--port` that disagrees with its own is an
 * error rather than a guess.
 */
export function parseCliOptions(flags: RawCliFlags, input: readonly string[]): CliParse {
  if (input.length > 0) {
    return fail(`unexpected argument "${input[0]}" (flags start with --; see --help)`);
  }
  const hosts = parseHosts(flags.host ?? [], flags.port);
  if (!hosts.ok) return hosts;
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
      hosts: hosts.hosts,
      name,
      ...(flags.password === undefined ? {} : { password: flags.password }),
      showUsers: flags.users,
      altScreen: flags.altScreen,
      tls: flags.tls === true,
      bell,
    },
  };
}

/** The `--host` list with `--port` applied, or why it cannot be used. */
function parseHosts(
  values: readonly string[],
  portFlag: string | undefined,
):
  | { readonly ok: true; readonly hosts: Endpoints }
  | { readonly ok: false; readonly message: string } {
  const portText = portFlag?.trim();
  const defaultPort = portText === undefined ? DEFAULT_PORT : parsePort(portText);
  if (defaultPort === undefined) {
    return fail(`--port must be a number from 1 to 65535, not "${portText}"`);
  }
  const given = values.length === 0 ? ['127.0.0.1'] : values;
  const entries = given.flatMap((value) => value.split(',').map((entry) => ({ value, entry })));
  const hosts: Endpoint[] = [];
  for (const { value, entry } of entries) {
    let host = entry.trim();
    let port = defaultPort;
    const withPort = /^(?:\[([^\]]+)\]|([^:]+)):(\d*)$/.exec(host);
    if (withPort) {
      host = withPort[1] ?? withPort[2]!;
      const inHost = withPort[3]!;
      if (inHost === '') return fail(`--host "${entry}" ends with ":" but no port`);
      const own = parsePort(inHost);
      if (own === undefined) return fail(`--host ${entry}: the port must be from 1 to 65535`);
      if (entries.length === 1 && portText !== undefined && own !== defaultPort) {
        return fail(`--host ${entry} and --port ${portText} disagree: give the port once`);
      }
      port = own;
    } else if (host.startsWith('[') && host.endsWith(']')) {
      host = host.slice(1, -1);
    }
    if (host === '') {
      return fail(
        entries.length === 1
          ? '--host needs an address, e.g. --host 127.0.0.1'
          : `--host "${value}" has an empty entry`,
      );
    }
    const endpoint = { host, port };
    const key = formatEndpoint(endpoint).toLowerCase();
    if (hosts.some((known) => formatEndpoint(known).toLowerCase() === key)) {
      return fail(`--host lists ${formatEndpoint(endpoint)} twice`);
    }
    hosts.push(endpoint);
  }
  const [first, ...rest] = hosts;
  if (first === undefined) return fail('--host needs an address, e.g. --host 127.0.0.1');
  return { ok: true, hosts: [first, ...rest] };
}

/** A port from 1 to 65535 written in decimal digits, or undefined. */
function parsePort(text: string): number | undefined {
  const port = Number(text);
  return /^\d+$/.test(text) && port >= 1 && port <= 65_535 ? port : undefined;
}

function fail(message: string): { readonly ok: false; readonly message: string } {
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
