import { nameKey } from '@ciao/protocol';

/** A Tab completion in progress: pressing Tab again cycles through `matches`. */
export interface Completion {
  /** The input before the word being completed. */
  readonly head: string;
  readonly matches: readonly string[];
  readonly index: number;
  /** The value this completion produced (cycling only continues from it). */
  readonly value: string;
}

function render(head: string, name: string): string {
  // At the start of a line a name is an address ("bob: "), elsewhere just a word.
  return head.trim() === '' ? `${head}${name}: ` : `${head}${name} `;
}

/**
 * Completes the word before the end of `value` from `users` (case-insensitively, without
 * `me`), or cycles to the next match when `previous` produced `value`. Undefined: nothing to do.
 */
export function completeName(
  value: string,
  users: readonly string[],
  me: string,
  previous?: Completion,
): Completion | undefined {
  if (previous && previous.value === value && previous.matches.length > 0) {
    const index = (previous.index + 1) % previous.matches.length;
    const name = previous.matches[index]!;
    return { ...previous, index, value: render(previous.head, name) };
  }
  const match = /(\S*)$/.exec(value);
  const word = match?.[1] ?? '';
  const head = value.slice(0, value.length - word.length);
  const prefix = nameKey(word.replace(/^@/, ''));
  const at = word.startsWith('@') ? '@' : '';
  const meKey = nameKey(me);
  const matches = users
    .filter((user) => nameKey(user) !== meKey && nameKey(user).startsWith(prefix))
    .map((user) => `${at}${user}`);
  if (matches.length === 0 || (word === '' && head.trim() !== '')) return undefined;
  return { head, matches, index: 0, value: render(head, matches[0]!) };
}

/** The commands Tab completes after a `/` at the start of the line. */
export const COMMAND_NAMES: readonly string[] = [
  'bell',
  'clear',
  'help',
  'me',
  'msg',
  'nick',
  'quit',
  'reconnect',
  'search',
  'who',
];

/** Completes `/he` to `/help ` (Tab again: the next match), like completeName for names. */
export function completeCommand(value: string, previous?: Completion): Completion | undefined {
  if (previous && previous.value === value && previous.matches.length > 0) {
    const index = (previous.index + 1) % previous.matches.length;
    return { ...previous, index, value: `/${previous.matches[index]!} ` };
  }
  const prefix = value.slice(1).toLowerCase();
  const matches = COMMAND_NAMES.filter((name) => name.startsWith(prefix));
  if (matches.length === 0) return undefined;
  return { head: '/', matches, index: 0, value: `/${matches[0]!} ` };
}
