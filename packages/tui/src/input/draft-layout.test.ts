import { describe, expect, it } from 'vitest';
import { cursorRow, draftRows, scrollTop } from './draft-layout.js';

const texts = (text: string, width: number): string[] =>
  draftRows(text, width).map((row) => text.slice(row.start, row.end));

describe('draftRows', () => {
  it('cuts at line breaks and where a row is full', () => {
    expect(texts('abcdefg\n\nxy', 3)).toEqual(['abc', 'def', 'g', '', 'xy']);
  });

  it('counts wide characters twice and never splits a cluster', () => {
    expect(texts('日本語x👨‍👩‍👧‍👦', 4)).toEqual(['日本', '語x', '👨‍👩‍👧‍👦']);
  });

  it('puts the cursor at the end of a full row on the next row, but not before a break', () => {
    const rows = draftRows('abcdef\nx', 3);
    expect(cursorRow(rows, 3)).toBe(1);
    expect(cursorRow(rows, 6)).toBe(1);
    expect(cursorRow(rows, 7)).toBe(2);
  });
});

describe('scrollTop', () => {
  it('keeps the window while the cursor is in it, moves it just enough otherwise', () => {
    expect(scrollTop(0, 3, 10, 5)).toBe(0);
    expect(scrollTop(0, 7, 10, 5)).toBe(3);
    expect(scrollTop(3, 4, 10, 5)).toBe(3);
    expect(scrollTop(3, 1, 10, 5)).toBe(1);
    // The draft shrank: no empty rows below.
    expect(scrollTop(8, 2, 3, 5)).toBe(0);
  });
});
