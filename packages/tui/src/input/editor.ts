/**
 * The text being typed, as a pure value: every edit is a function from draft to draft, so a
 * burst of keys is a fold and can be tested without a terminal. The cursor moves and deletes by
 * grapheme cluster (what a person sees as one character: 👍🏽 or a family emoji, not its code
 * points) and always sits on a cluster boundary.
 */

export interface Draft {
  readonly text: string;
  /** UTF-16 offset into `text`, on a grapheme cluster boundary. */
  readonly cursor: number;
}

export const EMPTY_DRAFT: Draft = { text: '', cursor: 0 };

/** Edits that depend only on the draft. */
export const EDIT_OPS = [
  'left',
  'right',
  'word_left',
  'word_right',
  'line_start',
  'line_end',
  'backspace',
  'delete',
  'kill_line_start',
  'kill_line_end',
  'kill_word_back',
  'kill_alnum_word_back',
  'kill_word_forward',
] as const;
export type EditOp = (typeof EDIT_OPS)[number];

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** A draft holding `text` with the cursor at its end. */
export function draftOf(text: string): Draft {
  return { text, cursor: text.length };
}

/** The grapheme boundary before `index` (0 at the start). */
export function previousBoundary(text: string, index: number): number {
  if (index <= 0) return 0;
  // Nearly all text is ASCII: skip the segmenter when neither neighbour can join a cluster.
  if (index >= 2 && isPlain(text.charCodeAt(index - 1)) && isPlain(text.charCodeAt(index - 2)))
    return index - 1;
  return graphemes.segment(text).containing(index - 1)?.index ?? index - 1;
}

/** The grapheme boundary after `index` (the length at the end). */
export function nextBoundary(text: string, index: number): number {
  if (index >= text.length) return text.length;
  if (isPlain(text.charCodeAt(index)) && isPlain(text.charCodeAt(index + 1) || 0x20))
    return index + 1;
  const segment = graphemes.segment(text).containing(index);
  return segment ? segment.index + segment.segment.length : index + 1;
}

/** Printable ASCII but not CR/LF: never part of a longer cluster. */
function isPlain(code: number): boolean {
  return code >= 0x20 && code < 0x7f;
}

const WORD_CHAR = /[\p{L}\p{N}\p{M}_]/u;
const SPACE = /\s/;

/** Start of the current line (after the last `\n` before the cursor). */
function lineStart(text: string, cursor: number): number {
  return text.lastIndexOf('\n', cursor - 1) + 1;
}

/** End of the current line (the next `\n` or the end). */
function lineEnd(text: string, cursor: number): number {
  const at = text.indexOf('\n', cursor);
  return at === -1 ? text.length : at;
}

/** Back over characters not matching `inWord`, then over those matching it (readline). */
function wordBefore(text: string, cursor: number, inWord: (char: string) => boolean): number {
  let i = cursor;
  while (i > 0 && !inWord(text[i - 1]!)) i = previousBoundary(text, i);
  while (i > 0 && inWord(text[i - 1]!)) i = previousBoundary(text, i);
  return i;
}

/** Forward over characters not matching `inWord`, then over those matching it. */
function wordAfter(text: string, cursor: number, inWord: (char: string) => boolean): number {
  let i = cursor;
  while (i < text.length && !inWord(text[i]!)) i = nextBoundary(text, i);
  while (i < text.length && inWord(text[i]!)) i = nextBoundary(text, i);
  return i;
}

const isWordChar = (char: string): boolean => WORD_CHAR.test(char);
const isNonSpace = (char: string): boolean => !SPACE.test(char);

/** `text` without `[from, to)`, cursor at `from`. */
function cut(draft: Draft, from: number, to: number): Draft {
  if (from === to) return draft.cursor === from ? draft : { ...draft, cursor: from };
  return { text: draft.text.slice(0, from) + draft.text.slice(to), cursor: from };
}

function moveTo(draft: Draft, cursor: number): Draft {
  return cursor === draft.cursor ? draft : { ...draft, cursor };
}

/** Applies one editing operation. */
export function edit(draft: Draft, op: EditOp): Draft {
  const { text, cursor } = draft;
  switch (op) {
    case 'left':
      return moveTo(draft, previousBoundary(text, cursor));
    case 'right':
      return moveTo(draft, nextBoundary(text, cursor));
    case 'word_left':
      return moveTo(draft, wordBefore(text, cursor, isWordChar));
    case 'word_right':
      return moveTo(draft, wordAfter(text, cursor, isWordChar));
    case 'line_start':
      return moveTo(draft, lineStart(text, cursor));
    case 'line_end':
      return moveTo(draft, lineEnd(text, cursor));
    case 'backspace':
      return cut(draft, previousBoundary(text, cursor), cursor);
    case 'delete':
      return cut(draft, cursor, nextBoundary(text, cursor));
    case 'kill_line_start':
      return cut(draft, lineStart(text, cursor), cursor);
    case 'kill_line_end': {
      // At the end of a line, Ctrl+K joins the next one (as Emacs does).
      const end = lineEnd(text, cursor);
      return cut(draft, cursor, end === cursor ? nextBoundary(text, cursor) : end);
    }
    case 'kill_word_back':
      // Ctrl+W is readline's unix-word-rubout: words are separated by white space only.
      return cut(draft, wordBefore(text, cursor, isNonSpace), cursor);
    case 'kill_alnum_word_back':
      return cut(draft, wordBefore(text, cursor, isWordChar), cursor);
    case 'kill_word_forward':
      return {
        text: text.slice(0, cursor) + text.slice(wordAfter(text, cursor, isWordChar)),
        cursor,
      };
    default:
      return assertNever(op);
  }
}

/** Inserts `text` at the cursor; the cursor goes after it. */
export function insert(draft: Draft, text: string): Draft {
  if (text === '') return draft;
  const { cursor } = draft;
  return {
    text: draft.text.slice(0, cursor) + text + draft.text.slice(cursor),
    cursor: cursor + text.length,
  };
}

/**
 * The cursor one line up (`-1`) or down (`1`) in a multi-line draft, at the same grapheme column
 * or the end of a shorter line; undefined when there is no line there (Up/Down then browse the
 * history instead).
 */
export function moveLine(draft: Draft, direction: -1 | 1): Draft | undefined {
  const { text, cursor } = draft;
  const start = lineStart(text, cursor);
  let column = 0;
  for (let i = start; i < cursor; i = nextBoundary(text, i)) column++;
  let target: number;
  if (direction < 0) {
    if (start === 0) return undefined;
    target = lineStart(text, start - 1);
  } else {
    const end = lineEnd(text, cursor);
    if (end === text.length) return undefined;
    target = end + 1;
  }
  const targetEnd = lineEnd(text, target);
  let at = target;
  for (let n = 0; n < column && at < targetEnd; n++) at = nextBoundary(text, at);
  return { text, cursor: at };
}

/** Number of lines in `text` (one more than its line breaks). */
export function lineCount(text: string): number {
  let count = 1;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) count++;
  return count;
}

function assertNever(value: never): never {
  throw new Error(`unexpected ${String(value)}`);
}
