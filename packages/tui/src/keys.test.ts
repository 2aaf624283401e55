import { describe, expect, it } from 'vitest';
import { parseKeys } from './input/parse-keys.js';
import type { KeyAction } from './keys.js';
import { KEY_BINDINGS, keyAction } from './keys.js';

const actions = (chunk: string): (KeyAction | undefined)[] => parseKeys(chunk).map(keyAction);
const command = (name: string): KeyAction => ({ type: 'command', command: name as never });

describe('keyAction', () => {
  it('maps typed text, editing keys and app keys of one chunk, in order', () => {
    expect(actions('hi\x17\x04\x1b[3~\r\x1b\r\x03')).toEqual([
      { type: 'insert', text: 'hi' },
      command('kill_word_back'),
      command('delete'),
      command('delete'),
      command('submit'),
      command('newline'),
      command('quit'),
    ]);
  });

  it('binds Shift+Enter and Ctrl+J to a new line, Esc to cancel, Tab to complete', () => {
    // Esc last: Esc then Tab in one read is Alt+Tab.
    expect(actions('\x1b[13;2u\n\t\x1b')).toEqual([
      command('newline'),
      command('newline'),
      command('complete'),
      command('cancel'),
    ]);
  });

  it('moves by word with Ctrl+Left/Right and Alt+B/F, scrolls with Shift+Up and PageUp', () => {
    expect(actions('\x1b[1;5D\x1b[1;5C\x1bb\x1bf\x1b[1;2A\x1b[5~')).toEqual([
      command('word_left'),
      command('word_right'),
      command('word_left'),
      command('word_right'),
      command('line_up'),
      command('page_up'),
    ]);
  });

  it('does nothing for an unbound key (Ctrl+G, Alt+Q, F5)', () => {
    expect(actions('\x07\x1bq\x1b[15~')).toEqual([undefined, undefined, undefined]);
  });

  it('binds no key twice', () => {
    const seen = new Set<string>();
    for (const [, specs] of KEY_BINDINGS) {
      for (const spec of specs) {
        const id = JSON.stringify(spec);
        expect(seen.has(id), id).toBe(false);
        seen.add(id);
      }
    }
  });
});
