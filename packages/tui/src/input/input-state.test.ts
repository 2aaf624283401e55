import { describe, expect, it } from 'vitest';
import { draftOf } from './editor.js';
import type { InputState } from './input-state.js';
import {
  cancel,
  cleanPaste,
  draftStatus,
  EMPTY_INPUT,
  inputReducer,
  pressEnter,
} from './input-state.js';

const typed = (text: string): InputState => inputReducer(EMPTY_INPUT, { type: 'insert', text });
const pasted = (state: InputState, text: string): InputState =>
  inputReducer(state, { type: 'paste', text });

describe('input state', () => {
  it('takes a paste as one draft with its line breaks, and sends it on Enter', () => {
    const state = pasted(typed('see: '), 'one\r\ntwo\rthree\n');
    expect(state.draft).toEqual(draftOf('see: one\ntwo\nthree'));
    expect(pressEnter(state)).toEqual({ type: 'send', text: 'see: one\ntwo\nthree' });
  });

  it('Esc takes the paste back, leaving what was typed before it', () => {
    const state = pasted(typed('see: '), 'a\nb\nc');
    const back = cancel(state);
    expect(back?.draft).toEqual(draftOf('see: '));
    expect(back && cancel(back)).toBeUndefined();
  });

  it('asks before sending more than five lines: the second Enter sends', () => {
    const state = pasted(EMPTY_INPUT, '1\n2\n3\n4\n5\n6');
    const first = pressEnter(state);
    expect(first.type).toBe('confirm');
    if (first.type !== 'confirm') return;
    expect(pressEnter(first.state)).toEqual({ type: 'send', text: '1\n2\n3\n4\n5\n6' });
    // Esc leaves the question and keeps the draft; an edit does too.
    expect(cancel(first.state)?.confirming).toBe(false);
    expect(cancel(first.state)?.draft.text).toBe('1\n2\n3\n4\n5\n6');
    expect(inputReducer(first.state, { type: 'insert', text: '!' }).confirming).toBe(false);
  });

  it('refuses an over-long or too many lines draft with the reason, before sending', () => {
    expect(pressEnter(typed('x'.repeat(4097)))).toEqual({
      type: 'refuse',
      reason: 'too long: 1 characters over the limit of 4,096',
    });
    const lines = pasted(EMPTY_INPUT, Array(101).fill('x').join('\n'));
    expect(pressEnter(lines)).toEqual({
      type: 'refuse',
      reason: 'too many lines: 101, the limit is 100',
    });
  });

  it('counts characters once the draft nears the limit', () => {
    expect(draftStatus('x'.repeat(3000)).counter).toBeUndefined();
    expect(draftStatus('😀'.repeat(3500)).counter).toBe('3,500/4,096');
  });

  it('sent: the draft goes into the history and the input empties', () => {
    const sent = inputReducer(typed('hello'), { type: 'sent' });
    expect(sent.draft).toEqual(draftOf(''));
    expect(inputReducer(sent, { type: 'up' }).draft).toEqual(draftOf('hello'));
  });

  it('Up and Down move between the lines of a draft before browsing the history', () => {
    let state = inputReducer(typed('old'), { type: 'sent' });
    state = pasted(state, 'ab\ncd');
    state = inputReducer(state, { type: 'up' });
    expect(state.draft).toEqual({ text: 'ab\ncd', cursor: 2 });
    state = inputReducer(state, { type: 'up' });
    expect(state.draft).toEqual(draftOf('old'));
    state = inputReducer(state, { type: 'down' });
    expect(state.draft).toEqual(draftOf('ab\ncd'));
  });

  it('Tab completes a /command at the start, and a name elsewhere', () => {
    const complete = (state: InputState): InputState =>
      inputReducer(state, { type: 'complete', users: ['ann', 'bob'], me: 'ann' });
    expect(complete(typed('/he')).draft).toEqual(draftOf('/help '));
    const m = complete(typed('/m'));
    expect(m.draft.text).toBe('/me ');
    expect(complete(m).draft.text).toBe('/msg ');
    expect(complete(typed('hi b')).draft.text).toBe('hi bob ');
  });

  it('cleans a paste: line ends, tabs, control characters, the trailing line end', () => {
    expect(cleanPaste('\tx\x1b[31m\r\n\x07y\n\n')).toBe('    x\ny');
  });
});
