/**
 * Cuts bracketed pastes out of raw terminal input. With bracketed paste on (`ESC [?2004h`) a
 * terminal wraps pasted text in `ESC[200~` … `ESC[201~`; everything else is typed keys. A marker
 * may be split between two reads, so the state keeps what could be the start of one.
 */

export const PASTE_START = '\x1b[200~';
export const PASTE_END = '\x1b[201~';
/** The most pasted text kept; the rest of a larger paste is dropped (the draft would be refused). */
export const MAX_PASTE_CHARS = 262_144;

export type InputPiece =
  | { readonly type: 'keys'; readonly text: string }
  | { readonly type: 'paste'; readonly text: string };

export interface PasteState {
  /** Inside a paste: its text so far. */
  readonly paste?: string;
  /** The end of the input read so far, held back because it may begin a marker. */
  readonly held: string;
}

export const NO_PASTE: PasteState = { held: '' };

/** How much of the end of `text` is a proper prefix of `marker`. */
function markerPrefixAt(text: string, marker: string): number {
  for (let n = Math.min(marker.length - 1, text.length); n > 0; n--) {
    if (text.endsWith(marker.slice(0, n))) return n;
  }
  return 0;
}

function appendPaste(paste: string, text: string): string {
  return paste.length >= MAX_PASTE_CHARS ? paste : (paste + text).slice(0, MAX_PASTE_CHARS);
}

/** Splits `chunk` (with what was held back) into typed keys and pastes, in order. */
export function splitPaste(
  state: PasteState,
  chunk: string,
): { state: PasteState; pieces: InputPiece[] } {
  const pieces: InputPiece[] = [];
  let input = state.held + chunk;
  let paste = state.paste;
  for (;;) {
    if (paste === undefined) {
      const start = input.indexOf(PASTE_START);
      if (start === -1) {
        const hold = markerPrefixAt(input, PASTE_START);
        const keys = input.slice(0, input.length - hold);
        if (keys !== '') pieces.push({ type: 'keys', text: keys });
        return { state: { held: input.slice(input.length - hold) }, pieces };
      }
      if (start > 0) pieces.push({ type: 'keys', text: input.slice(0, start) });
      paste = '';
      input = input.slice(start + PASTE_START.length);
    } else {
      const end = input.indexOf(PASTE_END);
      if (end === -1) {
        const hold = markerPrefixAt(input, PASTE_END);
        paste = appendPaste(paste, input.slice(0, input.length - hold));
        return { state: { paste, held: input.slice(input.length - hold) }, pieces };
      }
      pieces.push({ type: 'paste', text: appendPaste(paste, input.slice(0, end)) });
      paste = undefined;
      input = input.slice(end + PASTE_END.length);
    }
  }
}

/**
 * No more input is coming for now: what was held back as a possible marker start is typed keys
 * after all (a lone Esc), and a paste whose end never came ends here.
 */
export function flushPaste(state: PasteState): { state: PasteState; pieces: InputPiece[] } {
  if (state.paste !== undefined)
    return { state: NO_PASTE, pieces: [{ type: 'paste', text: state.paste + state.held }] };
  return {
    state: NO_PASTE,
    pieces: state.held === '' ? [] : [{ type: 'keys', text: state.held }],
  };
}
