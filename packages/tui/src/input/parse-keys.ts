/**
 * Raw terminal input -> key presses. Ink hands its input listeners a chunk that may hold several
 * keys (everything between two escape sequences arrives as one string: "hello wor", Ctrl+W and
 * "X" typed during a stall are one chunk), and its `useInput` reads such a chunk as one key.
 * This splits any chunk of whole keys into every key it holds, in order.
 */

/** Keys with a name of their own (not a character). */
export type SpecialKey =
  | 'return'
  | 'escape'
  | 'tab'
  | 'backspace'
  | 'delete'
  | 'insert'
  | 'up'
  | 'down'
  | 'left'
  | 'right'
  | 'home'
  | 'end'
  | 'pageup'
  | 'pagedown';

export type KeyPress =
  /** Printable text typed as it is (a run of characters, no modifier). */
  | { readonly type: 'text'; readonly text: string }
  /** A bracketed paste: the terminal marked this text as pasted (see paste-splitter.ts). */
  | { readonly type: 'paste'; readonly text: string }
  | {
      readonly type: 'special';
      readonly key: SpecialKey;
      readonly ctrl: boolean;
      readonly meta: boolean;
      readonly shift: boolean;
    }
  /** A character with Ctrl and/or Alt (Meta): Ctrl+W is `{ char: 'w', ctrl: true }`. */
  | {
      readonly type: 'chord';
      readonly char: string;
      readonly ctrl: boolean;
      readonly meta: boolean;
    }
  /** An escape sequence this client does not know (F keys, focus reports): ignored. */
  | { readonly type: 'unknown'; readonly sequence: string };

const ESC = '\x1b';

/** `ESC [ n ~` numbers. */
const TILDE_KEYS: Readonly<Record<string, SpecialKey>> = {
  '1': 'home',
  '2': 'insert',
  '3': 'delete',
  '4': 'end',
  '5': 'pageup',
  '6': 'pagedown',
  '7': 'home',
  '8': 'end',
};

/** `ESC [ x` and `ESC O x` final letters. */
const LETTER_KEYS: Readonly<Record<string, SpecialKey>> = {
  A: 'up',
  B: 'down',
  C: 'right',
  D: 'left',
  H: 'home',
  F: 'end',
};

/** Unicode key codes of the kitty protocol (`ESC [ code ; mods u`) and xterm's modifyOtherKeys. */
const CODE_KEYS: Readonly<Record<number, SpecialKey>> = {
  9: 'tab',
  13: 'return',
  27: 'escape',
  127: 'backspace',
};

/** A special key with the modifiers of an xterm parameter (1 + shift + 2 alt + 4 ctrl). */
function special(key: SpecialKey, modifier = 1, meta = false): KeyPress {
  const bits = Math.max(0, modifier - 1);
  return {
    type: 'special',
    key,
    shift: (bits & 1) !== 0,
    meta: meta || (bits & 2) !== 0,
    ctrl: (bits & 4) !== 0,
  };
}

/** A key press carrying Alt (typed with ESC in front). */
function withMeta(key: KeyPress): KeyPress {
  switch (key.type) {
    case 'special':
    case 'chord':
      return { ...key, meta: true };
    case 'text':
      return { type: 'chord', char: key.text, ctrl: false, meta: true };
    default:
      return key;
  }
}

/** The key of one control character (below 0x20, or DEL). */
function controlKey(char: string): KeyPress {
  switch (char) {
    case '\r':
      return special('return');
    case '\t':
      return special('tab');
    case '\x7f':
    case '\b':
      return special('backspace');
    case ESC:
      return special('escape');
    default: {
      const code = char.charCodeAt(0);
      // 0x01..0x1a are Ctrl+A..Ctrl+Z; 0x00 is Ctrl+Space, 0x1c..0x1f Ctrl+\ ] ^ _.
      const letter = code === 0 ? ' ' : String.fromCharCode(code + 0x60);
      return {
        type: 'chord',
        char: code >= 0x1c ? String.fromCharCode(code + 0x40) : letter,
        ctrl: true,
        meta: false,
      };
    }
  }
}

/** The key an escape sequence `sequence` (starting with ESC, no second ESC) stands for. */
function escapeKey(sequence: string): KeyPress {
  const csi = /^\x1b\[([\d;]*)([A-Za-z~])$/.exec(sequence);
  if (csi) {
    const [, params = '', final = ''] = csi;
    const numbers = params === '' ? [] : params.split(';').map(Number);
    if (final === '~') {
      // xterm modifyOtherKeys: ESC [ 27 ; mods ; code ~ (Shift+Enter as ESC [27;2;13~).
      if (numbers[0] === 27 && numbers.length === 3) {
        const key = CODE_KEYS[numbers[2]!];
        if (key) return special(key, numbers[1]);
      }
      const key = TILDE_KEYS[String(numbers[0])];
      if (key) return special(key, numbers[1]);
    } else if (final === 'u') {
      const code = numbers[0] ?? 0;
      const key = CODE_KEYS[code];
      if (key) return special(key, numbers[1]);
      if (code >= 32 && code < 127) {
        const bits = Math.max(0, (numbers[1] ?? 1) - 1);
        return {
          type: 'chord',
          char: String.fromCharCode(code),
          ctrl: (bits & 4) !== 0,
          meta: (bits & 2) !== 0,
        };
      }
    } else if (final === 'Z') {
      return special('tab', 2);
    } else {
      const key = LETTER_KEYS[final];
      if (key) return special(key, numbers[1]);
    }
    return { type: 'unknown', sequence };
  }
  const ss3 = /^\x1bO([A-Za-z])$/.exec(sequence);
  if (ss3) {
    const key = LETTER_KEYS[ss3[1]!];
    return key ? special(key) : { type: 'unknown', sequence };
  }
  // ESC + one character: Alt + that key.
  const rest = sequence.slice(1);
  if (rest === '') return special('escape');
  return withMeta(rest < ' ' || rest === '\x7f' ? controlKey(rest) : { type: 'text', text: rest });
}

/**
 * Where the escape sequence starting at `start` (an ESC) ends: a CSI runs to its final byte, SS3
 * takes one letter, anything else is ESC + one code point (Alt+key); a lone ESC at the end is
 * the Escape key.
 */
function escapeEnd(input: string, start: number): number {
  const next = input[start + 1];
  if (next === undefined) return start + 1;
  if (next === '[') {
    let i = start + 2;
    while (i < input.length) {
      const code = input.charCodeAt(i);
      i++;
      if (code >= 0x40 && code <= 0x7e) return i;
    }
    return i;
  }
  if (next === 'O' && start + 2 < input.length) return start + 3;
  const code = input.codePointAt(start + 1) ?? 0;
  return start + 1 + (code > 0xffff ? 2 : 1);
}

/** Characters typed as text: not C0 controls, DEL or C1 controls. */
const PRINTABLE_RUN = /[^\x00-\x1f\x7f-\x9f]+/y;

/** Every key in `input`, a chunk of whole keys, in order. */
export function parseKeys(input: string): KeyPress[] {
  const keys: KeyPress[] = [];
  let i = 0;
  while (i < input.length) {
    PRINTABLE_RUN.lastIndex = i;
    const run = PRINTABLE_RUN.exec(input);
    if (run) {
      keys.push({ type: 'text', text: run[0] });
      i += run[0].length;
      continue;
    }
    const char = input[i]!;
    if (char !== ESC) {
      // C1 controls are never typed; drop them.
      if (char < ' ' || char === '\x7f') keys.push(controlKey(char));
      i++;
      continue;
    }
    // ESC ESC [ A: Alt + an escape sequence.
    if (input[i + 1] === ESC && i + 2 < input.length) {
      const end = escapeEnd(input, i + 1);
      keys.push(withMeta(escapeKey(input.slice(i + 1, end))));
      i = end;
      continue;
    }
    const end = escapeEnd(input, i);
    keys.push(escapeKey(input.slice(i, end)));
    i = end;
  }
  return keys;
}
