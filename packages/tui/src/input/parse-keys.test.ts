import { describe, expect, it } from 'vitest';
import { parseKeys } from './parse-keys.js';

const plain = { ctrl: false, meta: false, shift: false };

describe('parseKeys', () => {
  it('splits a chunk of text and control keys into every key, in order', () => {
    expect(parseKeys('hello wor\x17X\r')).toEqual([
      { type: 'text', text: 'hello wor' },
      { type: 'chord', char: 'w', ctrl: true, meta: false },
      { type: 'text', text: 'X' },
      { type: 'special', key: 'return', ...plain },
    ]);
  });

  it('reads Tab, Backspace (DEL and BS) and Ctrl+letters', () => {
    expect(parseKeys('\t\x7f\b\x01\x15')).toEqual([
      { type: 'special', key: 'tab', ...plain },
      { type: 'special', key: 'backspace', ...plain },
      { type: 'special', key: 'backspace', ...plain },
      { type: 'chord', char: 'a', ctrl: true, meta: false },
      { type: 'chord', char: 'u', ctrl: true, meta: false },
    ]);
  });

  it('reads escape sequences between text: arrows, Delete, Home/End, PageUp', () => {
    expect(parseKeys('a\x1b[Db\x1b[3~\x1b[H\x1bOF\x1b[5~')).toEqual([
      { type: 'text', text: 'a' },
      { type: 'special', key: 'left', ...plain },
      { type: 'text', text: 'b' },
      { type: 'special', key: 'delete', ...plain },
      { type: 'special', key: 'home', ...plain },
      { type: 'special', key: 'end', ...plain },
      { type: 'special', key: 'pageup', ...plain },
    ]);
  });

  it('reads modifiers: Ctrl+Left, Alt+Right, Shift+Up, Alt+B, Alt+Enter, Alt+Backspace', () => {
    expect(parseKeys('\x1b[1;5D\x1b[1;3C\x1b[1;2A\x1bb\x1b\r\x1b\x7f')).toEqual([
      { type: 'special', key: 'left', ctrl: true, meta: false, shift: false },
      { type: 'special', key: 'right', ctrl: false, meta: true, shift: false },
      { type: 'special', key: 'up', ctrl: false, meta: false, shift: true },
      { type: 'chord', char: 'b', ctrl: false, meta: true },
      { type: 'special', key: 'return', ctrl: false, meta: true, shift: false },
      { type: 'special', key: 'backspace', ctrl: false, meta: true, shift: false },
    ]);
  });

  it('reads Shift+Enter as kitty and xterm (modifyOtherKeys) report it', () => {
    const shiftEnter = { type: 'special', key: 'return', ctrl: false, meta: false, shift: true };
    expect(parseKeys('\x1b[13;2u\x1b[27;2;13~')).toEqual([shiftEnter, shiftEnter]);
  });

  it('reads a lone Esc at the end as Escape, and keeps emoji and CJK as text', () => {
    expect(parseKeys('👍🏽日本\x1b')).toEqual([
      { type: 'text', text: '👍🏽日本' },
      { type: 'special', key: 'escape', ...plain },
    ]);
  });

  it('marks unknown sequences (F5, focus reports) instead of typing them', () => {
    expect(parseKeys('\x1b[15~\x1b[I')).toEqual([
      { type: 'unknown', sequence: '\x1b[15~' },
      { type: 'unknown', sequence: '\x1b[I' },
    ]);
  });
});
