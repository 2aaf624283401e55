/**
 * Text from a peer is data: nothing in it may drive the terminal. PROTOCOL.md "Names and text".
 *
 * One pass removes, in order of the alternatives:
 * - string sequences (OSC, DCS, SOS, PM, APC; 7-bit `ESC x` or 8-bit C1 introducer) up to their
 *   BEL or ST ending, or to the end of the text when unterminated (a terminal would swallow it);
 * - CSI sequences, 7-bit `ESC [` and 8-bit U+009B, with their parameters and final byte;
 * - every other escape (`ESC` + intermediates + final: `ESC c`, `ESC 7`, `ESC ( B`, a lone ESC);
 * - the remaining C0 controls but tab and newline, DEL, C1 controls, the bidi override and
 *   isolate characters U+202A–U+202E, U+2066–U+2069, and the invisible format characters
 *   U+200B, U+200E, U+200F, U+061C, U+FEFF, U+2060–U+2064 (U+200C/U+200D stay: scripts and
 *   emoji sequences need them).
 * Before that, lone surrogates become U+FFFD and the line and paragraph separators U+2028/U+2029
 * become `\n` (a terminal would otherwise break the line where nobody sees a newline).
 * Every ESC is consumed by some alternative and nothing removed can rejoin into a new sequence,
 * so the result holds no control character but `\n`, and sanitising it again changes nothing.
 */
const UNSAFE =
  /[\x1b][\]PX^_][\s\S]*?(?:\x07|\x1b\\|\x9c|$)|[\x90\x98\x9d\x9e\x9f][\s\S]*?(?:\x07|\x1b\\|\x9c|$)|[\x1b]\[[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?|\x9b[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?|\x1b[\x20-\x2f]*[\x30-\x7e]?|[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200b\u200e\u200f\u061c\ufeff\u2060-\u2064]/g;

/** Cheap pre-check: most chat text holds nothing to remove. */
const NEEDS_WORK =
  /[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200b\u200e\u200f\u061c\ufeff\u2060-\u2064\u2028\u2029]/;

/**
 * Removes control characters, ANSI/VT escape sequences, bidi overrides and invisible format
 * characters; tab becomes a space, U+2028/U+2029 a newline, a lone surrogate U+FFFD.
 */
export function sanitize(text: string): string {
  if (!NEEDS_WORK.test(text) && text.isWellFormed()) return text;
  return text
    .toWellFormed()
    .replace(/[\u2028\u2029]/g, '\n')
    .replace(/\t/g, ' ')
    .replace(UNSAFE, '');
}

/** Length in Unicode code points, the unit PROTOCOL.md counts in (not UTF-16 units). */
export function codePointLength(text: string): number {
  let length = text.length;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    // A high surrogate and the low one after it are one code point.
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        length--;
        i++;
      }
    }
  }
  return length;
}
