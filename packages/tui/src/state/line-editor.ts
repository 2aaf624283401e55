import type { Key } from 'ink';

/** The input line being edited; `cursor` is a UTF-16 index on a grapheme boundary. */
export interface EditorState {
  readonly value: string;
  readonly cursor: number;
}

export type EditorResult =
  | { readonly kind: 'edit'; readonly state: EditorState }
  | { readonly kind: 'submit'; readonly value: string }
  | { readonly kind: 'ignore' };

/**
 * What a run of input did: lines submitted in order, and the line left in the editor. When the
 * run ends with Enter the submitted line stays in `state` (`endsWithSubmit`): the owner clears
 * it once the line was taken, so a line that could not be sent is not lost.
 */
export interface EditorOutcome {
  readonly state: EditorState;
  readonly submitted: readonly string[];
  readonly endsWithSubmit: boolean;
}

const PLAIN_KEY: Partial<Key> = {};
const ENTER: Partial<Key> = { return: true };
const BACKSPACE: Partial<Key> = { backspace: true };

/**
 * Applies a key event. Ink hands over a run of plain characters as one event (a paste, or keys
 * typed faster than they are read), so Enter and Backspace inside the run are applied where
 * they are: "hi\r" submits "hi", "ab\x7f" leaves "a".
 */
export function editKeys(state: EditorState, input: string, key: Key): EditorOutcome {
  const plain = !key.ctrl && !key.meta && !key.return && !key.backspace && !key.delete;
  if (!plain || input.length <= 1 || !/[\r\n\x7f\b]/.test(input)) {
    const result = editLine(state, input, key);
    if (result.kind === 'submit') return { state, submitted: [result.value], endsWithSubmit: true };
    return {
      state: result.kind === 'edit' ? result.state : state,
      submitted: [],
      endsWithSubmit: false,
    };
  }
  const submitted: string[] = [];
  let current = state;
  let endsWithSubmit = false;
  for (const part of input.split(/(\r\n|\r|\n|\x7f|\x08)/)) {
    if (part === '') continue;
    const special =
      part === '\x7f' || part === '\x08' ? BACKSPACE : /^[\r\n]/.test(part) ? ENTER : PLAIN_KEY;
    const result = editLine(current, special === PLAIN_KEY ? part : '', { ...key, ...special });
    endsWithSubmit = result.kind === 'submit';
    if (result.kind === 'submit') {
      submitted.push(result.value);
      current = { value: '', cursor: 0 };
    } else if (result.kind === 'edit') {
      current = result.state;
    }
  }
  if (endsWithSubmit) {
    const last = submitted[submitted.length - 1]!;
    current = { value: last, cursor: last.length };
  }
  return { state: current, submitted, endsWithSubmit };
}

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

function prevBoundary(value: string, cursor: number): number {
  let last = 0;
  for (const { index } of segmenter.segment(value)) {
    if (index >= cursor) break;
    last = index;
  }
  return last;
}

function nextBoundary(value: string, cursor: number): number {
  for (const { index, segment } of segmenter.segment(value)) {
    if (index >= cursor) return index + segment.length;
  }
  return value.length;
}

function wordStart(value: string, cursor: number): number {
  let at = cursor;
  while (at > 0 && value[at - 1] === ' ') at--;
  while (at > 0 && value[at - 1] !== ' ') at--;
  return at;
}

/**
 * Applies one key to the line: printable input (a paste included) is inserted at the cursor,
 * Enter submits, Backspace/Delete, Left/Right, Home/End or Ctrl+A/E, Ctrl+U (to start),
 * Ctrl+K (to end) and Ctrl+W (word) edit. Pure, so a burst of keys handled in one tick
 * always builds on the latest value: nothing typed is lost.
 */
export function editLine(state: EditorState, input: string, key: Key): EditorResult {
  const { value, cursor } = state;
  const edit = (next: string, at: number): EditorResult => ({
    kind: 'edit',
    state: { value: next, cursor: at },
  });
  if (key.return) return { kind: 'submit', value };
  if (key.ctrl) {
    switch (input) {
      case 'a':
        return edit(value, 0);
      case 'e':
        return edit(value, value.length);
      case 'u':
        return edit(value.slice(cursor), 0);
      case 'k':
        return edit(value.slice(0, cursor), cursor);
      case 'w': {
        const start = wordStart(value, cursor);
        return edit(value.slice(0, start) + value.slice(cursor), start);
      }
      default:
        return { kind: 'ignore' };
    }
  }
  if (key.home) return edit(value, 0);
  if (key.end) return edit(value, value.length);
  if (key.leftArrow) return edit(value, prevBoundary(value, cursor));
  if (key.rightArrow) return edit(value, nextBoundary(value, cursor));
  // Terminals send DEL (0x7f) for Backspace, which Ink reports as `delete`.
  if (key.backspace || key.delete) {
    if (cursor === 0) return { kind: 'ignore' };
    const at = prevBoundary(value, cursor);
    return edit(value.slice(0, at) + value.slice(cursor), at);
  }
  if (
    key.meta ||
    key.escape ||
    key.tab ||
    key.upArrow ||
    key.downArrow ||
    key.pageUp ||
    key.pageDown
  ) {
    return { kind: 'ignore' };
  }
  // Control characters left in a run of input (editKeys took out Enter and Backspace) go.
  const text = input.replace(/[\x00-\x1f\x7f]/g, '');
  if (text === '') return { kind: 'ignore' };
  return edit(value.slice(0, cursor) + text + value.slice(cursor), cursor + text.length);
}
