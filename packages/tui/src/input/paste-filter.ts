import type { InputPiece, PasteState } from './paste-splitter.js';
import { flushPaste, NO_PASTE, splitPaste } from './paste-splitter.js';

/** Turns bracketed paste on in the terminal (pastes arrive between ESC[200~ and ESC[201~). */
export const BRACKETED_PASTE_ON = '\x1b[?2004h';
export const BRACKETED_PASTE_OFF = '\x1b[?2004l';
/** A paste whose end marker has not come after this long of silence ends anyway. */
const PASTE_IDLE_MS = 1_000;

type Read = NodeJS.ReadStream['read'];

/** The filter on each stream, and who wants its pastes (the last one added gets them). */
const filters = new WeakMap<
  NodeJS.ReadStream,
  { targets: ((text: string) => void)[]; remove: () => void }
>();

/**
 * Cuts bracketed pastes out of `stdin` before Ink's input parser sees them (Ink 6 has no paste
 * support: it would hand a pasted line end over as Enter) and hands each to `onPaste`. One
 * filter per stream, however many ask (an input mounting as another unmounts, in either order);
 * the last to ask gets the pastes. Returns the function that stops this one asking; the filter
 * comes off with the last.
 */
export function filterPastes(
  stdin: NodeJS.ReadStream,
  onPaste: (text: string) => void,
): () => void {
  let filter = filters.get(stdin);
  if (!filter) {
    const targets: ((text: string) => void)[] = [];
    filter = { targets, remove: install(stdin, (text) => targets[targets.length - 1]?.(text)) };
    filters.set(stdin, filter);
  }
  const { targets } = filter;
  targets.push(onPaste);
  return () => {
    const at = targets.indexOf(onPaste);
    if (at !== -1) targets.splice(at, 1);
    if (targets.length > 0 || filters.get(stdin)?.targets !== targets) return;
    filters.get(stdin)?.remove();
    filters.delete(stdin);
  };
}

/**
 * Ink pulls input with `stdin.read()`; this wraps that method so each call hands over the
 * pastes that come before the next run of typed keys (`onPaste`, synchronously) and returns
 * those keys to Ink, so pastes and keys keep their order. Returns what takes the wrapper off.
 */
function install(stdin: NodeJS.ReadStream, onPaste: (text: string) => void): () => void {
  const ownRead = Object.prototype.hasOwnProperty.call(stdin, 'read');
  const read: Read = stdin.read;
  let state: PasteState = NO_PASTE;
  const queue: InputPiece[] = [];
  let timer: NodeJS.Timeout | NodeJS.Immediate | undefined;

  const take = (result: { state: PasteState; pieces: InputPiece[] }): void => {
    state = result.state;
    queue.push(...result.pieces);
  };
  const cancelTimer = (): void => {
    if (timer === undefined) return;
    clearTimeout(timer as NodeJS.Timeout);
    clearImmediate(timer as NodeJS.Immediate);
    timer = undefined;
  };
  // Nothing more to read now. A possible marker start (a lone Esc, most likely) becomes keys
  // on the next turn of the event loop, as Ink does with its own pending Esc; a paste without
  // its end marker ends after a second of silence. Ink is told there is input to read.
  const flushLater = (): void => {
    cancelTimer();
    if (state.held === '' && state.paste === undefined) return;
    const flush = (): void => {
      timer = undefined;
      take(flushPaste(state));
      stdin.emit('readable');
    };
    timer = state.paste === undefined ? setImmediate(flush) : setTimeout(flush, PASTE_IDLE_MS);
  };

  stdin.read = function filteredRead(this: NodeJS.ReadStream): string | Buffer | null {
    for (;;) {
      let piece = queue.shift();
      while (piece?.type === 'paste') {
        onPaste(piece.text);
        piece = queue.shift();
      }
      if (piece) return piece.text;
      const chunk: unknown = read.call(stdin);
      if (chunk === null) {
        flushLater();
        return null;
      }
      cancelTimer();
      take(splitPaste(state, String(chunk)));
    }
  };

  return () => {
    cancelTimer();
    if (ownRead) stdin.read = read;
    else delete (stdin as { read?: Read }).read;
  };
}
