import type { AppCommand } from '../keys.js';
import { isAppCommand, keyAction } from '../keys.js';
import type { InputState } from './input-state.js';
import { cancel, inputReducer } from './input-state.js';
import type { KeyPress } from './parse-keys.js';
import { parseKeys } from './parse-keys.js';

/** Runs a command of the app's on the input; returns the input after it. */
export type CommandRunner = (state: InputState, command: AppCommand) => InputState;

/**
 * The commands the input carries out without the app: a new line, Up/Down (lines of the draft,
 * then the history), Esc (leave the confirmation or take back a paste), Home (start of the
 * line). Others change nothing.
 */
export const inputOnly: CommandRunner = (state, command) => {
  switch (command) {
    case 'newline':
    case 'up':
    case 'down':
      return inputReducer(state, { type: command });
    case 'cancel':
      return cancel(state) ?? state;
    // Home is the app's on an empty line (the oldest message); in a line, the start of it.
    case 'home':
      return inputReducer(state, { type: 'edit', op: 'line_start' });
    default:
      return state;
  }
};

/**
 * Applies `keys` in order, each to the input the one before left: text is inserted, a paste
 * pasted, an editing key edits, an app command goes to `run`.
 */
export function applyKeys(
  state: InputState,
  keys: readonly KeyPress[],
  run: CommandRunner = inputOnly,
): InputState {
  let current = state;
  for (const key of keys) {
    const action = keyAction(key);
    if (action === undefined) continue;
    if (action.type !== 'command') current = inputReducer(current, action);
    else if (isAppCommand(action.command)) current = run(current, action.command);
    else current = inputReducer(current, { type: 'edit', op: action.command });
  }
  return current;
}

/** Applies every key of a raw input chunk (state in, chunk in, state out). */
export function applyChunk(
  state: InputState,
  chunk: string,
  run: CommandRunner = inputOnly,
): InputState {
  return applyKeys(state, parseKeys(chunk), run);
}
