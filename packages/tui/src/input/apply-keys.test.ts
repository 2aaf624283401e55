import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyChunk } from './apply-keys.js';
import { draftOf } from './editor.js';
import type { InputState } from './input-state.js';
import { EMPTY_INPUT } from './input-state.js';

/** Raw bytes of keys a person types (no lone Esc: Esc then "[" is a CSI to any reader). */
const KEY = fc.constantFrom(
  'a',
  'b',
  'Z',
  ' ',
  '.',
  'é',
  '👍🏽',
  '👨‍👩‍👧‍👦',
  '日',
  '\x17', // Ctrl+W
  '\x15', // Ctrl+U
  '\x0b', // Ctrl+K
  '\x01', // Ctrl+A
  '\x05', // Ctrl+E
  '\x04', // Ctrl+D
  '\x02', // Ctrl+B
  '\x06', // Ctrl+F
  '\x7f', // Backspace
  '\b', // Backspace (BS)
  '\x1b[3~', // Delete
  '\x1b[D', // Left
  '\x1b[C', // Right
  '\x1b[A', // Up
  '\x1b[B', // Down
  '\x1b[H', // Home
  '\x1b[1;5D', // Ctrl+Left
  '\x1b[1;5C', // Ctrl+Right
  '\x1bb', // Alt+B
  '\x1bf', // Alt+F
  '\x1bd', // Alt+D
  '\x1b\x7f', // Alt+Backspace
  '\x1b\r', // Alt+Enter
  '\n', // Ctrl+J
  '\t', // Tab
);

/** `keys` cut into chunks after the key indexes in `cuts`. */
function chunked(keys: readonly string[], cuts: readonly boolean[]): string[] {
  const chunks: string[] = [];
  let chunk = '';
  keys.forEach((key, i) => {
    chunk += key;
    if (cuts[i % cuts.length]) {
      chunks.push(chunk);
      chunk = '';
    }
  });
  if (chunk !== '') chunks.push(chunk);
  return chunks;
}

const start = (text: string): InputState => ({ ...EMPTY_INPUT, draft: draftOf(text) });

describe('applyChunk', () => {
  it('applies every key of one chunk in order: text, Ctrl+W, text', () => {
    expect(applyChunk(EMPTY_INPUT, 'hello wor\x17X').draft).toEqual(draftOf('hello X'));
    expect(applyChunk(EMPTY_INPUT, 'hello\x15bye\x01>\x05!').draft).toEqual(draftOf('>bye!'));
    expect(applyChunk(start('ab'), '\x01\x1b[3~').draft).toEqual({ text: 'b', cursor: 0 });
    expect(applyChunk(EMPTY_INPUT, 'one\x1b\rtwo\ntree\x1b[D\x1b[D\x7fh').draft).toEqual({
      text: 'one\ntwo\nthee',
      cursor: 10,
    });
  });

  it('gives the same input for any chunking of a key sequence as for one key at a time', () => {
    fc.assert(
      fc.property(
        fc.array(KEY, { maxLength: 40 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 40 }),
        fc.constantFrom('', 'hello world', 'a\nb👍🏽c'),
        (keys, cuts, text) => {
          const oneByOne = keys.reduce((state, key) => applyChunk(state, key), start(text));
          const inChunks = chunked(keys, cuts).reduce(
            (state, chunk) => applyChunk(state, chunk),
            start(text),
          );
          expect(inChunks).toEqual(oneByOne);
        },
      ),
      { numRuns: 300 },
    );
  });
});
