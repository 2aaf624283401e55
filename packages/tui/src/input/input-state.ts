import { codePointLength, LIMITS, sanitize } from '@ciao/protocol';
import type { Completion } from '../state/complete-name.js';
import { completeCommand, completeName } from '../state/complete-name.js';
import type { InputHistory } from '../state/input-history.js';
import { emptyHistory, next, previous, remember } from '../state/input-history.js';
import type { Draft, EditOp } from './editor.js';
import { draftOf, edit, EMPTY_DRAFT, insert, lineCount, moveLine } from './editor.js';

/** A draft of more lines than this asks before it is sent (as weechat does for a paste). */
export const CONFIRM_LINES = 5;
/** The character counter shows from this share of the limit on. */
const COUNTER_FROM = 0.8;

/** Everything the input line holds: the draft and what Enter, Esc, Tab and Up/Down remember. */
export interface InputState {
  readonly draft: Draft;
  readonly history: InputHistory;
  /** A Tab completion that Tab again cycles. */
  readonly completion?: Completion;
  /** The draft as it was before a paste still in it: Esc brings it back. */
  readonly beforePaste?: Draft;
  /** Enter was pressed on a long draft: Enter again sends it. */
  readonly confirming: boolean;
}

export const EMPTY_INPUT: InputState = {
  draft: EMPTY_DRAFT,
  history: emptyHistory,
  confirming: false,
};

export type InputAction =
  | { readonly type: 'insert'; readonly text: string }
  | { readonly type: 'paste'; readonly text: string }
  | { readonly type: 'edit'; readonly op: EditOp }
  | { readonly type: 'newline' }
  | { readonly type: 'up' }
  | { readonly type: 'down' }
  | { readonly type: 'complete'; readonly users: readonly string[]; readonly me: string }
  /** The draft was sent: it goes into the history and the input empties. */
  | { readonly type: 'sent' };

/** Text from a paste as the draft holds it: line ends as `\n`, tabs as spaces, no controls. */
export function cleanPaste(text: string): string {
  const lines = sanitize(text.replace(/\r\n?/g, '\n').replace(/\t/g, '    '));
  // A copied line usually brings its line end along: one more Enter nobody meant.
  return lines.replace(/\n+$/, '');
}

function withDraft(state: InputState, draft: Draft): InputState {
  if (draft === state.draft) return state;
  return { ...state, draft, completion: undefined, confirming: false };
}

/** Applies an action to the input. */
export function inputReducer(state: InputState, action: InputAction): InputState {
  switch (action.type) {
    case 'insert':
      return withDraft(state, insert(state.draft, action.text));
    case 'paste': {
      const text = cleanPaste(action.text);
      if (text === '') return state;
      const next = withDraft(state, insert(state.draft, text));
      return { ...next, beforePaste: state.beforePaste ?? state.draft };
    }
    case 'edit':
      return withDraft(state, edit(state.draft, action.op));
    case 'newline':
      return withDraft(state, insert(state.draft, '\n'));
    case 'up': {
      const moved = moveLine(state.draft, -1);
      if (moved) return withDraft(state, moved);
      const step = previous(state.history, state.draft.text);
      return step ? { ...withDraft(state, draftOf(step.value)), history: step.history } : state;
    }
    case 'down': {
      const moved = moveLine(state.draft, 1);
      if (moved) return withDraft(state, moved);
      const step = next(state.history);
      return step ? { ...withDraft(state, draftOf(step.value)), history: step.history } : state;
    }
    case 'complete': {
      const { text, cursor } = state.draft;
      const before = text.slice(0, cursor);
      const done = /^\/\S*$/.test(before)
        ? completeCommand(before, state.completion)
        : completeName(before, action.users, action.me, state.completion);
      if (!done) return state;
      const draft = { text: done.value + text.slice(cursor), cursor: done.value.length };
      return { ...withDraft(state, draft), completion: done };
    }
    case 'sent':
      return {
        draft: EMPTY_DRAFT,
        history: remember(state.history, state.draft.text),
        confirming: false,
      };
    default:
      return assertNever(action);
  }
}

/**
 * Esc: leaves the confirmation, or takes back the paste still in the draft. Undefined when there
 * is nothing to cancel (Esc then belongs to the message pane).
 */
export function cancel(state: InputState): InputState | undefined {
  if (state.confirming) return { ...state, confirming: false };
  if (state.beforePaste) return { ...state, draft: state.beforePaste, beforePaste: undefined };
  return undefined;
}

export type EnterResult =
  | { readonly type: 'send'; readonly text: string }
  /** Enter asks first: the draft is long (`state` is confirming). */
  | { readonly type: 'confirm'; readonly state: InputState }
  /** The draft cannot be sent as it is; `reason` says why. */
  | { readonly type: 'refuse'; readonly reason: string };

/** Enter: send the draft, ask for confirmation first, or refuse it with a reason. */
export function pressEnter(state: InputState): EnterResult {
  const { text } = state.draft;
  const problem = draftStatus(text).problem;
  if (problem !== undefined) return { type: 'refuse', reason: problem };
  if (!state.confirming && lineCount(text) > CONFIRM_LINES)
    return { type: 'confirm', state: { ...state, confirming: true } };
  return { type: 'send', text };
}

export interface DraftStatus {
  readonly lines: number;
  readonly chars: number;
  /** Why it cannot be sent (too long, too many lines); undefined when it can. */
  readonly problem?: string;
  /** "3,950/4,096" once the text nears the limit. */
  readonly counter?: string;
}

const number = new Intl.NumberFormat('en-US');

/** The draft's size against the protocol's limits (PROTOCOL.md "Names and text"). */
export function draftStatus(text: string): DraftStatus {
  const lines = lineCount(text);
  const max = LIMITS.maxTextChars;
  // Counting code points is O(n): only when the UTF-16 length could be near the limit.
  const chars = text.length >= max * COUNTER_FROM ? codePointLength(text) : text.length;
  const counter =
    chars >= max * COUNTER_FROM ? `${number.format(chars)}/${number.format(max)}` : undefined;
  let problem: string | undefined;
  if (chars > max)
    problem = `too long: ${number.format(chars - max)} characters over the limit of ${number.format(max)}`;
  else if (lines > LIMITS.maxTextLines)
    problem = `too many lines: ${lines}, the limit is ${LIMITS.maxTextLines}`;
  return { lines, chars, problem, counter };
}

function assertNever(value: never): never {
  throw new Error(`unexpected ${JSON.stringify(value)}`);
}
