import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyChunk } from './apply-keys.js';
import { draftOf } from './editor.js';
import type { InputState } from './input-state.js';
import { chunked, KEY } from '../test/keys.js';
import { EMPTY_INPUT } from './input-state.js';

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
