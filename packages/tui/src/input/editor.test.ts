import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Draft } from './editor.js';
import { draftOf, EDIT_OPS, edit, insert, lineCount, moveLine } from './editor.js';

const ops = EDIT_OPS;

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
function boundaries(text: string): Set<number> {
  const out = new Set([text.length]);
  for (const { index } of segmenter.segment(text)) out.add(index);
  return out;
}

const at = (text: string, cursor: number): Draft => ({ text, cursor });

describe('edit', () => {
  it('Backspace takes a whole grapheme cluster: skin tone, family, flag, accent', () => {
    for (const cluster of ['👍🏽', '👨‍👩‍👧‍👦', '🇮🇹', 'é', 'e\u0301']) {
      expect(edit(draftOf(`a${cluster}`), 'backspace')).toEqual(draftOf('a'));
    }
  });

  it('Delete deletes forward, a whole cluster', () => {
    expect(edit(at('a👨‍👩‍👧‍👦b', 1), 'delete')).toEqual(at('ab', 1));
    expect(edit(at('ab', 2), 'delete')).toEqual(at('ab', 2));
  });

  it('Left and Right step over a whole cluster', () => {
    expect(edit(draftOf('a👍🏽'), 'left')).toEqual(at('a👍🏽', 1));
    expect(edit(at('a👍🏽', 1), 'right')).toEqual(draftOf('a👍🏽'));
  });

  it('moves by word with Alt+B / Alt+F (letters and digits make a word)', () => {
    const text = 'hello, wörld 42!';
    expect(edit(draftOf(text), 'word_left').cursor).toBe(13);
    expect(edit(at(text, 13), 'word_left').cursor).toBe(7);
    expect(edit(at(text, 0), 'word_right').cursor).toBe(5);
    expect(edit(at(text, 5), 'word_right').cursor).toBe(12);
  });

  it('Ctrl+W deletes back to white space; Alt+Backspace to the word start; Alt+D forward', () => {
    expect(edit(draftOf('see foo.bar  '), 'kill_word_back')).toEqual(draftOf('see '));
    expect(edit(draftOf('see foo.bar'), 'kill_alnum_word_back')).toEqual(draftOf('see foo.'));
    expect(edit(at('one two three', 3), 'kill_word_forward')).toEqual(at('one three', 3));
  });

  it('Ctrl+A/E/U/K work on the current line of a multi-line draft', () => {
    const text = 'one\ntwo three\nfour';
    expect(edit(at(text, 8), 'line_start').cursor).toBe(4);
    expect(edit(at(text, 8), 'line_end').cursor).toBe(13);
    expect(edit(at(text, 8), 'kill_line_start')).toEqual(at('one\nthree\nfour', 4));
    expect(edit(at(text, 8), 'kill_line_end')).toEqual(at('one\ntwo \nfour', 8));
    // At the end of a line Ctrl+K joins the next one.
    expect(edit(at(text, 3), 'kill_line_end')).toEqual(at('onetwo three\nfour', 3));
  });

  it('keeps the cursor on a cluster boundary whatever the edits (property)', () => {
    const text = fc.array(fc.constantFrom('a', ' ', '👍🏽', '👨‍👩‍👧‍👦', 'é', '日', '\n', ',', 'x\u0301'), {
      maxLength: 12,
    });
    fc.assert(
      fc.property(text, fc.array(fc.constantFrom(...ops), { maxLength: 20 }), (parts, edits) => {
        let draft = draftOf(parts.join(''));
        for (const op of edits) {
          draft = edit(draft, op);
          expect(draft.cursor).toBeGreaterThanOrEqual(0);
          expect(draft.cursor).toBeLessThanOrEqual(draft.text.length);
          expect(boundaries(draft.text).has(draft.cursor)).toBe(true);
        }
      }),
    );
  });
});

describe('insert, moveLine, lineCount', () => {
  it('inserts at the cursor', () => {
    expect(insert(at('ad', 1), 'bc')).toEqual(at('abcd', 3));
  });

  it('moves between lines at the same column, undefined past the first or last', () => {
    const text = 'abcd\nxy\nlonger';
    expect(moveLine(at(text, 3), 1)).toEqual(at(text, 7));
    expect(moveLine(at(text, 7), 1)).toEqual(at(text, 10));
    expect(moveLine(at(text, 10), -1)).toEqual(at(text, 7));
    expect(moveLine(at(text, 2), -1)).toBeUndefined();
    expect(moveLine(at(text, 12), 1)).toBeUndefined();
  });

  it('counts lines', () => {
    expect(lineCount('')).toBe(1);
    expect(lineCount('a\nb\n')).toBe(3);
  });
});
