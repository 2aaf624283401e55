import stringWidth from 'string-width';
import type { EditOp } from './input/editor.js';
import { EDIT_OPS } from './input/editor.js';
import type { KeyPress, SpecialKey } from './input/parse-keys.js';

/**
 * What a key does outside editing the text: the app's commands. A new one needs a name here,
 * its keys in KEY_BINDINGS and a case in the app's `run` (the compiler asks for it).
 */
export type AppCommand =
  | 'quit'
  | 'toggle_users'
  | 'redraw'
  | 'submit'
  | 'newline'
  | 'cancel'
  | 'complete'
  | 'up'
  | 'down'
  | 'end'
  | 'page_up'
  | 'page_down'
  | 'line_up'
  | 'line_down'
  /** The oldest line kept. */
  | 'top'
  /** Home: the start of the line being typed, or the oldest line when nothing is typed. */
  | 'home'
  | 'search_older'
  | 'search_newer'
  | 'reconnect'
  | 'users_up'
  | 'users_down';

export type KeyCommand = AppCommand | EditOp;

const EDIT_OP_SET: ReadonlySet<string> = new Set(EDIT_OPS);

/** True for the app's commands, false for the editing operations. */
export function isAppCommand(command: KeyCommand): command is AppCommand {
  return !EDIT_OP_SET.has(command);
}

/** One key combination; a modifier left out must be up. */
export type KeySpec =
  | {
      readonly key: SpecialKey;
      readonly ctrl?: boolean;
      readonly meta?: boolean;
      readonly shift?: boolean;
    }
  | { readonly char: string; readonly ctrl?: boolean; readonly meta?: boolean };

/** What a key press asks for. */
export type KeyAction =
  | { readonly type: 'insert'; readonly text: string }
  | { readonly type: 'paste'; readonly text: string }
  | { readonly type: 'command'; readonly command: KeyCommand };

/**
 * The key table: each command with the keys bound to it. A key matches exactly (Ctrl+Left is not
 * Left), and the first command listing it wins. To add a key, add a row.
 */
export const KEY_BINDINGS: readonly (readonly [KeyCommand, readonly KeySpec[]])[] = [
  ['quit', [{ char: 'c', ctrl: true }]],
  ['toggle_users', [{ char: 'n', ctrl: true }]],
  ['redraw', [{ char: 'l', ctrl: true }]],
  // As readline: Ctrl+R searches back, Ctrl+S forward (raw mode leaves Ctrl+S to us).
  ['search_older', [{ char: 'r', ctrl: true }]],
  ['search_newer', [{ char: 's', ctrl: true }]],
  ['reconnect', [{ char: 't', ctrl: true }]],
  ['users_up', [{ key: 'up', ctrl: true }]],
  ['users_down', [{ key: 'down', ctrl: true }]],
  ['top', [{ key: 'home', ctrl: true }]],
  ['home', [{ key: 'home' }]],
  ['submit', [{ key: 'return' }]],
  // Alt+Enter works in every terminal; Shift+Enter only where the terminal reports it (kitty
  // protocol, xterm's modifyOtherKeys); Ctrl+J is a line feed.
  [
    'newline',
    [
      { key: 'return', meta: true },
      { key: 'return', shift: true },
      { char: 'j', ctrl: true },
    ],
  ],
  ['cancel', [{ key: 'escape' }]],
  ['complete', [{ key: 'tab' }]],
  ['line_up', [{ key: 'up', shift: true }]],
  ['line_down', [{ key: 'down', shift: true }]],
  ['page_up', [{ key: 'pageup' }]],
  ['page_down', [{ key: 'pagedown' }]],
  ['up', [{ key: 'up' }, { char: 'p', ctrl: true }]],
  ['down', [{ key: 'down' }]],
  ['left', [{ key: 'left' }, { char: 'b', ctrl: true }]],
  ['right', [{ key: 'right' }, { char: 'f', ctrl: true }]],
  [
    'word_left',
    [
      { key: 'left', ctrl: true },
      { key: 'left', meta: true },
      { char: 'b', meta: true },
    ],
  ],
  [
    'word_right',
    [
      { key: 'right', ctrl: true },
      { key: 'right', meta: true },
      { char: 'f', meta: true },
    ],
  ],
  ['line_start', [{ char: 'a', ctrl: true }]],
  ['line_end', [{ char: 'e', ctrl: true }]],
  ['end', [{ key: 'end' }, { key: 'end', ctrl: true }]],
  ['backspace', [{ key: 'backspace' }]],
  ['delete', [{ key: 'delete' }, { char: 'd', ctrl: true }]],
  ['kill_line_start', [{ char: 'u', ctrl: true }]],
  ['kill_line_end', [{ char: 'k', ctrl: true }]],
  ['kill_word_back', [{ char: 'w', ctrl: true }]],
  ['kill_alnum_word_back', [{ key: 'backspace', meta: true }]],
  ['kill_word_forward', [{ char: 'd', meta: true }]],
];

function matches(spec: KeySpec, key: KeyPress): boolean {
  if ('key' in spec) {
    return (
      key.type === 'special' &&
      key.key === spec.key &&
      key.ctrl === (spec.ctrl ?? false) &&
      key.meta === (spec.meta ?? false) &&
      key.shift === (spec.shift ?? false)
    );
  }
  return (
    key.type === 'chord' &&
    key.char.toLowerCase() === spec.char &&
    key.ctrl === (spec.ctrl ?? false) &&
    key.meta === (spec.meta ?? false)
  );
}

/** The command bound to `key`, if any. */
export function keyCommand(key: KeyPress): KeyCommand | undefined {
  for (const [command, specs] of KEY_BINDINGS) {
    if (specs.some((spec) => matches(spec, key))) return command;
  }
  return undefined;
}

/** What `key` does: typed text is inserted, a paste pasted, a bound key runs its command. */
export function keyAction(key: KeyPress): KeyAction | undefined {
  switch (key.type) {
    case 'text':
      return { type: 'insert', text: key.text };
    case 'paste':
      return { type: 'paste', text: key.text };
    case 'unknown':
      return undefined;
    default: {
      const command = keyCommand(key);
      return command === undefined ? undefined : { type: 'command', command };
    }
  }
}

/** The one-line hints under the input, longest first: the longest that fits is shown. */
export const KEY_HINTS: readonly string[] = [
  'Enter send · Alt+Enter newline · ↑↓ history · PgUp/PgDn scroll · Tab complete · ^N users · ^C quit',
  'Enter send · Alt+Enter newline · PgUp/PgDn scroll · Tab complete · ^C quit',
  'Enter send · Alt+Enter newline · PgUp/PgDn scroll · ^C quit',
];

/** The longest hint that fits in `columns` (the shortest, cut, when none does). */
export function keyHint(columns: number): string {
  return KEY_HINTS.find((hint) => stringWidth(hint) <= columns) ?? KEY_HINTS[KEY_HINTS.length - 1]!;
}

/** Key lines of `/help`. */
export const KEY_HELP: readonly string[] = [
  'Keys: Enter sends · Alt+Enter (or Shift+Enter, Ctrl+J) starts a new line · Up/Down browse',
  '      what you typed · PgUp/PgDn or Shift+Up/Down scroll · End or Esc jumps to the newest,',
  '      Ctrl+Home (Home on an empty line) to the oldest · Ctrl+R / Ctrl+S: older / newer match',
  '      of a search (/search TEXT starts one) · Ctrl+T reconnects now · Ctrl+Up/Down scroll users',
  '      Tab completes a name or /command · Ctrl+N shows/hides the user list · Ctrl+L redraws',
  '      Editing: Ctrl+A/E line start/end · Alt+B/F or Ctrl+Left/Right by word · Ctrl+D or',
  '      Delete forward · Ctrl+W/U/K delete word/to start/to end · Ctrl+C leaves',
];
