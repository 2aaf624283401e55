import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codePointLength, sanitize } from './sanitize.js';

const FORBIDDEN =
  /[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200b\u200e\u200f\u061c\ufeff\u2060-\u2064\u2028\u2029]/;

/** Strings rich in the characters sanitize is about, mixed with ordinary text. */
const hostileText = fc
  .array(
    fc.oneof(
      fc.string(),
      fc.constantFrom(
        '\x1b',
        '\u200b',
        '\u2028',
        '\ufeff',
        '\ud800',
        '\u200d',
        '[',
        ']',
        '\\',
        '\x07',
        '\x9b',
        '\x9c',
        '\x9d',
        '\x90',
        'P',
        ';',
        '0',
        'm',
        'H',
        '\t',
        '\n',
        '\r',
        '\u202e',
        '\u2066',
        '\x00',
        '\x7f',
        'é',
        '😀',
      ),
      fc.integer({ min: 0, max: 0x2100 }).map((c) => String.fromCodePoint(c)),
    ),
    { maxLength: 40 },
  )
  .map((parts) => parts.join(''));

describe('sanitize', () => {
  it.each([
    ['CSI colour', 'a\x1b[31mred\x1b[0m', 'ared'],
    ['CSI cursor movement and clear screen', '\x1b[2J\x1b[H\x1b[10;20Hx', 'x'],
    ['CSI with private parameters', '\x1b[?1049hy', 'y'],
    ['8-bit CSI', '\x9b2Jz', 'z'],
    ['OSC title ended by BEL', 'a\x1b]0;owned\x07b', 'ab'],
    ['OSC hyperlink ended by ST', '\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\', 'link'],
    ['8-bit OSC ended by 8-bit ST', 'a\x9d0;t\x9cb', 'ab'],
    ['unterminated OSC eats the rest', 'a\x1b]0;never ends', 'a'],
    ['DCS', 'a\x1bPq#0;2;0;0;0\x1b\\b', 'ab'],
    ['APC and PM', 'a\x1b_x\x1b\\b\x1b^y\x1b\\c', 'abc'],
    ['single-character escapes', 'a\x1bcb\x1b7c\x1b8d\x1b=e', 'abcde'],
    ['charset designation', 'a\x1b(Bb', 'ab'],
    ['lone ESC at the end', 'abc\x1b', 'abc'],
    ['C0 controls', 'a\x00b\x07c\x08d\re\x1ff', 'abcdef'],
    ['DEL and C1 controls that start no sequence', 'a\x7fb\x85c\x80d', 'abcd'],
    ['8-bit APC to its end', 'a\x9fhidden', 'a'],
    ['tab becomes a space', 'a\tb', 'a b'],
    ['newline is kept', 'a\nb', 'a\nb'],
    ['CRLF becomes LF', 'a\r\nb', 'a\nb'],
    ['bidi overrides and isolates', 'a\u202ab\u202ec\u2066d\u2069e', 'abcde'],
    ['ordinary text untouched', 'héllo wörld 😀 日本', 'héllo wörld 😀 日本'],
  ])('removes %s', (_name, input, expected) => {
    expect(sanitize(input)).toBe(expected);
  });

  it('never leaves ESC, C0 (but newline), C1 or bidi controls in its output', () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        expect(sanitize(text)).not.toMatch(FORBIDDEN);
      }),
      { numRuns: 2000 },
    );
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        const once = sanitize(text);
        expect(sanitize(once)).toBe(once);
      }),
      { numRuns: 2000 },
    );
  });

  it('leaves text with nothing to remove as it is', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        fc.pre(!FORBIDDEN.test(text));
        expect(sanitize(text)).toBe(text);
      }),
    );
  });
});

describe('sanitize: invisible characters', () => {
  it('removes format characters but the joiners, breaks lines at U+2028/U+2029, replaces lone surrogates', () => {
    expect(sanitize('a\u200bb\u200ec\u200fd\u061ce\ufefff\u2060g\u2061h\u2064i')).toBe('abcdefghi');
    expect(sanitize('one\u2028two\u2029three')).toBe('one\ntwo\nthree');
    expect(sanitize('x\ud800y\udc00z')).toBe('x\ufffdy\ufffdz');
    expect(sanitize('\ud83d\ude00')).toBe('😀');
    expect(sanitize('👩\u200d💻 \u0915\u094d\u200c\u0937')).toBe(
      '👩\u200d💻 \u0915\u094d\u200c\u0937',
    );
  });
});

describe('codePointLength', () => {
  it('counts code points, not UTF-16 units', () => {
    expect(codePointLength('abc')).toBe(3);
    expect(codePointLength('😀😀')).toBe(2);
    expect(codePointLength('日本')).toBe(2);
    expect(codePointLength('\ud800x')).toBe(2); // a lone surrogate is one code point
  });

  it('agrees with Array.from for any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        expect(codePointLength(text)).toBe(Array.from(text).length);
      }),
    );
  });
});
