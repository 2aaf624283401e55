import { LIMITS } from './limits.js';

export type NameCheck =
  | { readonly ok: true; readonly name: string }
  | { readonly ok: false; readonly code: 'name_invalid'; readonly reason: string };

/**
 * A name is letters and digits, `_`, `-`, `.`, starting with a letter or digit.
 * Combining marks (\p{M}) are accepted after the first character: many scripts (Devanagari,
 * Thai, decomposed Latin) cannot write a name without them, and PROTOCOL.md's "letters" is read
 * as including them.
 */
const NAME_SHAPE = /^[\p{L}\p{N}][\p{L}\p{M}\p{N}_.-]*$/u;
const FIRST_CHAR = /^[\p{L}\p{N}]/u;
const ALLOWED_CHAR = /[\p{L}\p{M}\p{N}_.-]/u;

/**
 * Checks a name as given. Names are checked, never silently altered (PROTOCOL.md), so anything
 * `sanitize` would remove (controls, escapes, bidi marks) makes the name invalid rather than
 * being stripped.
 */
export function validateName(name: string): NameCheck {
  const chars = Array.from(name);
  if (chars.length === 0) return invalid('a name cannot be empty');
  if (chars.length > LIMITS.maxNameChars) {
    return invalid(`a name is at most ${LIMITS.maxNameChars} characters`);
  }
  if (NAME_SHAPE.test(name)) return { ok: true, name };
  if (!FIRST_CHAR.test(name)) return invalid('a name must start with a letter or a digit');
  const bad = chars.find((c) => !ALLOWED_CHAR.test(c)) ?? chars[0] ?? '';
  return invalid(`a name may hold only letters, digits, "_", "-" and "." (not ${describe(bad)})`);
}

/**
 * The key two names are compared by: NFKC, then case-folded, so `Alice`, `alice` and fullwidth
 * `ＡＬＩＣＥ` are one name. Upper- then lower-casing approximates full case folding
 * (`ß` and `SS` meet as `ss`); the final NFKC undoes what casing may denormalise.
 */
export function nameKey(name: string): string {
  return name.normalize('NFKC').toUpperCase().toLowerCase().normalize('NFKC');
}

function invalid(reason: string): NameCheck {
  return { ok: false, code: 'name_invalid', reason };
}

function describe(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  return /^[\p{L}\p{N}\p{P}\p{S}]$/u.test(char) ? `"${char}"` : hex;
}
