import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * Where the server keeps what outlives the process: `--data DIR` when given, else
 * `$XDG_STATE_HOME/ciao`, else `~/.local/state/ciao` (the XDG base directory rules: state,
 * not configuration, and not a cache that may be wiped).
 */
export function resolveDataDir(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  if (flag !== undefined && flag !== '') return resolve(flag);
  // XDG: a relative XDG_STATE_HOME is invalid and must be ignored.
  const state = env['XDG_STATE_HOME'];
  if (state !== undefined && state.startsWith('/')) return join(state, 'ciao');
  const home = env['HOME'] !== undefined && env['HOME'] !== '' ? env['HOME'] : homedir();
  return join(home, '.local', 'state', 'ciao');
}
