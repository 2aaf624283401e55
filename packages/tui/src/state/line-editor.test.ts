import { describe, expect, it } from 'vitest';
import type { Key } from 'ink';
import type { EditorState } from './line-editor.js';
import { editKeys, editLine } from './line-editor.js';

const NO_KEY: Key = {
  upArrow: false,
  downArrow: false,
  leftArrow: false,
  rightArrow: false,
  pageDown: false,
  pageUp: false,
  home: false,
  end: false,
  return: false,
  escape: false,
  ctrl: false,
  shift: false,
  tab: false,
  backspace: false,
  delete: false,
  meta: false,
  super: false,
  hyper: false,
  capsLock: false,
  numLock: false,
};
const key = (over: Partial<Key> = {}): Key => ({ ...NO_KEY, ...over });

function apply(state: EditorState, ...steps: [string, Partial<Key>?][]): EditorState {
  return steps.reduce((s, [input, k]) => {
    const r = editLine(s, input, key(k));
    return r.kind === 'edit' ? r.state : s;
  }, state);
}
const empty: EditorState = { value: '', cursor: 0 };

describe('editLine', () => {
  it('inserts at the cursor and moves by graphemes', () => {
    const s = apply(empty, ['héllo'], ['', { leftArrow: true }], ['', { leftArrow: true }], ['X']);
    expect(s).toEqual({ value: 'hélXlo', cursor: 4 });
    const e = apply(
      { value: 'a👍🏽b', cursor: 0 },
      ['', { rightArrow: true }],
      ['', { rightArrow: true }],
    );
    expect(e.cursor).toBe('a👍🏽'.length);
  });

  it('deletes the grapheme before the cursor', () => {
    expect(apply({ value: 'ab👨‍👩‍👧', cursor: 'ab👨‍👩‍👧'.length }, ['', { backspace: true }])).toEqual({
      value: 'ab',
      cursor: 2,
    });
    expect(apply({ value: 'ab', cursor: 0 }, ['', { delete: true }])).toEqual({
      value: 'ab',
      cursor: 0,
    });
  });

  it('submits the whole line on Enter', () => {
    expect(editLine({ value: 'hi there', cursor: 2 }, '\r', key({ return: true }))).toEqual({
      kind: 'submit',
      value: 'hi there',
    });
  });

  it('supports the usual Ctrl keys', () => {
    const s: EditorState = { value: 'one two three', cursor: 13 };
    expect(apply(s, ['w', { ctrl: true }])).toEqual({ value: 'one two ', cursor: 8 });
    expect(apply(s, ['a', { ctrl: true }], ['k', { ctrl: true }])).toEqual({
      value: '',
      cursor: 0,
    });
    expect(apply({ ...s, cursor: 4 }, ['u', { ctrl: true }])).toEqual({
      value: 'two three',
      cursor: 0,
    });
  });

  it('ignores other Ctrl letters and navigation keys instead of inserting them', () => {
    expect(editLine(empty, 'n', key({ ctrl: true }))).toEqual({ kind: 'ignore' });
    expect(editLine(empty, '', key({ pageUp: true }))).toEqual({ kind: 'ignore' });
  });

  it('drops control characters from typed text', () => {
    expect(apply(empty, ['one\x07two'])).toEqual({ value: 'onetwo', cursor: 6 });
  });
});

describe('editKeys', () => {
  it('applies Enter and Backspace inside a run of characters where they are', () => {
    expect(editKeys(empty, 'hi\rthere', key())).toEqual({
      submitted: ['hi'],
      state: { value: 'there', cursor: 5 },
      endsWithSubmit: false,
    });
    expect(editKeys(empty, 'abc\x7f\x7fd', key())).toEqual({
      submitted: [],
      state: { value: 'ad', cursor: 2 },
      endsWithSubmit: false,
    });
  });
  it('leaves a submitted line in place for its owner to clear', () => {
    expect(editKeys(empty, 'hi\r', key())).toEqual({
      submitted: ['hi'],
      state: { value: 'hi', cursor: 2 },
      endsWithSubmit: true,
    });
  });
  it('submits each line of a multi-line paste', () => {
    expect(editKeys({ value: '> ', cursor: 2 }, 'one\r\ntwo\n', key()).submitted).toEqual([
      '> one',
      'two',
    ]);
  });
  it('returns the same state when a key changes nothing', () => {
    const state = { value: 'x', cursor: 1 };
    expect(editKeys(state, '', key({ pageUp: true })).state).toBe(state);
  });
});
