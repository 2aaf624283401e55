import type { Key } from 'ink';

/** What a key press does outside the text input. */
export type KeyCommand =
  | 'quit'
  | 'history_prev'
  | 'history_next'
  | 'page_up'
  | 'page_down'
  | 'line_up'
  | 'line_down'
  | 'bottom'
  | 'complete'
  | 'toggle_users';

interface Binding {
  readonly command: KeyCommand;
  readonly matches: (input: string, key: Key) => boolean;
}

/** The key table; the first match wins, so modified keys come before plain ones. */
export const KEY_BINDINGS: readonly Binding[] = [
  { command: 'quit', matches: (input, key) => key.ctrl && input === 'c' },
  { command: 'toggle_users', matches: (input, key) => key.ctrl && input === 'n' },
  { command: 'line_up', matches: (_, key) => key.shift && key.upArrow },
  { command: 'line_down', matches: (_, key) => key.shift && key.downArrow },
  { command: 'page_up', matches: (_, key) => key.pageUp },
  { command: 'page_down', matches: (_, key) => key.pageDown },
  { command: 'bottom', matches: (_, key) => key.end || (key.escape && !key.ctrl) },
  { command: 'history_prev', matches: (_, key) => key.upArrow },
  { command: 'history_next', matches: (_, key) => key.downArrow },
  { command: 'complete', matches: (_, key) => key.tab && !key.shift },
];

export function keyCommand(input: string, key: Key): KeyCommand | undefined {
  return KEY_BINDINGS.find((binding) => binding.matches(input, key))?.command;
}

/** The one-line hint under the input. */
export const KEY_HINT =
  'Enter send · ↑↓ history · PgUp/PgDn scroll · Tab names · ^N users · ^C quit';
/** The hint on terminals too narrow for KEY_HINT. */
export const SHORT_KEY_HINT = 'Enter send · PgUp/PgDn scroll · Tab names · ^C quit';

/** Key lines of `/help`. */
export const KEY_HELP: readonly string[] = [
  'Keys: Enter sends · Up/Down browse what you typed · PgUp/PgDn or Shift+Up/Down scroll',
  '      End or Esc jumps to the newest · Tab completes a name · Ctrl+N shows/hides the user list',
  '      Ctrl+C leaves',
];
