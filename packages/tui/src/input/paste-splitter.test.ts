import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { InputPiece } from './paste-splitter.js';
import { flushPaste, NO_PASTE, PASTE_END, PASTE_START, splitPaste } from './paste-splitter.js';

/** Pieces of `chunks` read one after another, then flushed; adjacent keys merged. */
function read(chunks: readonly string[]): InputPiece[] {
  let state = NO_PASTE;
  const pieces: InputPiece[] = [];
  for (const chunk of chunks) {
    const result = splitPaste(state, chunk);
    state = result.state;
    pieces.push(...result.pieces);
  }
  pieces.push(...flushPaste(state).pieces);
  const merged: InputPiece[] = [];
  for (const piece of pieces) {
    const last = merged[merged.length - 1];
    if (last?.type === 'keys' && piece.type === 'keys')
      merged[merged.length - 1] = { type: 'keys', text: last.text + piece.text };
    else merged.push(piece);
  }
  return merged;
}

describe('splitPaste', () => {
  it('cuts a paste out of typed keys, in order', () => {
    expect(read([`ab${PASTE_START}one\r\ntwo\x1b[A${PASTE_END}\rc`])).toEqual([
      { type: 'keys', text: 'ab' },
      { type: 'paste', text: 'one\r\ntwo\x1b[A' },
      { type: 'keys', text: '\rc' },
    ]);
  });

  it('holds back what may start a marker until the next read', () => {
    const first = splitPaste(NO_PASTE, 'ab\x1b[20');
    expect(first.pieces).toEqual([{ type: 'keys', text: 'ab' }]);
    const second = splitPaste(first.state, '0~x');
    expect(second.pieces).toEqual([]);
    expect(second.state.paste).toBe('x');
    // A lone Esc held back is the Escape key once nothing follows.
    expect(flushPaste(splitPaste(NO_PASTE, '\x1b').state).pieces).toEqual([
      { type: 'keys', text: '\x1b' },
    ]);
  });

  it('reads the same pieces however the input is cut into reads (property)', () => {
    const part = fc.constantFrom('a', '\r', '\n', '\x1b', '\x1b[A', '日', PASTE_START, PASTE_END);
    fc.assert(
      fc.property(fc.array(part, { maxLength: 30 }), fc.array(fc.nat(200)), (parts, cuts) => {
        const input = parts.join('');
        const at = [...new Set(cuts.map((cut) => cut % (input.length + 1)))].sort((a, b) => a - b);
        const chunks = [0, ...at].map((from, i) => input.slice(from, at[i] ?? input.length));
        expect(read(chunks)).toEqual(read([input]));
      }),
      { numRuns: 300 },
    );
  });
});
