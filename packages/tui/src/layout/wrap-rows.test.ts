import { describe, expect, it } from 'vitest';
import { rowText, rowWidth, wrapSegments } from './wrap-rows.js';

const plain = (text: string) => [{ text, style: {} }];
const wrap = (text: string, width: number, indent = 0) =>
  wrapSegments(plain(text), width, indent).map(rowText);

describe('wrapSegments', () => {
  it('keeps a short line on one row', () => {
    expect(wrap('hello world', 20)).toEqual(['hello world']);
  });

  it('breaks between words and indents continuation rows', () => {
    expect(wrap('the quick brown fox jumps', 12, 2)).toEqual([
      'the quick ',
      '  brown fox ',
      '  jumps',
    ]);
  });

  it('splits a word longer than a row', () => {
    expect(wrap('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
  });

  it('counts wide characters as two columns and never splits one', () => {
    const rows = wrapSegments(plain('日本語のテキスト'), 5);
    expect(rows.map(rowText)).toEqual(['日本', '語の', 'テキ', 'スト']);
    for (const row of rows) expect(rowWidth(row)).toBeLessThanOrEqual(5);
  });

  it('keeps emoji and their modifiers whole', () => {
    const rows = wrapSegments(plain('ab👍🏽cd👨‍👩‍👧ef'), 4);
    for (const row of rows) expect(rowWidth(row)).toBeLessThanOrEqual(4);
    expect(rows.map(rowText).join('')).toBe('ab👍🏽cd👨‍👩‍👧ef');
  });

  it('starts a new row at each newline in the text', () => {
    expect(wrap('one\ntwo', 20, 3)).toEqual(['one', '   two']);
  });

  it('keeps styles apart across a wrap', () => {
    const rows = wrapSegments(
      [
        { text: '<bob> ', style: { color: 'red' } },
        { text: 'hello there', style: {} },
      ],
      12,
    );
    expect(rows).toEqual([
      [
        { text: '<bob> ', style: { color: 'red' } },
        { text: 'hello ', style: {} },
      ],
      [{ text: 'there', style: {} }],
    ]);
  });

  it('never produces a row wider than the width, whatever the text', () => {
    const samples = [
      'a b c d e f g',
      '  lead',
      'x'.repeat(50),
      '😀😀😀😀😀',
      'mixed 漢字 and 😀 emoji words',
    ];
    for (const text of samples) {
      for (let width = 2; width < 12; width++) {
        for (const row of wrapSegments(plain(text), width, 2))
          expect(rowWidth(row)).toBeLessThanOrEqual(width);
      }
    }
  });
});
