/** @jsxRuntime automatic */
/** @jsxImportSource react */
import { afterEach } from 'vitest';
import { cleanup, render } from 'ink-testing-library';
import type { ServerFrame } from '@ciao/protocol';
import type { ChatState } from '../state/chat-reducer.js';
import { chatReducer, initialState } from '../state/chat-reducer.js';
import { T0, welcome } from './frames.js';

afterEach(() => {
  cleanup();
});

export { render };

/** Chat state after a welcome for `me` and the given frames. */
export function stateFrom(frames: readonly ServerFrame[], me = 'ann'): ChatState {
  let state = initialState({ me, address: 'chat.example:7777' });
  state = chatReducer(state, {
    type: 'server',
    frames: [welcome({ name: me }), { type: 'history_end', more: false }],
    ts: T0,
  });
  // Drop the "connected" line so snapshots show only the frames under test.
  state = { ...state, lines: [] };
  return chatReducer(state, { type: 'server', frames, ts: T0 });
}

/** Lets Ink process input and effects. */
export function tick(ms = 10): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * A frame without its SGR colour codes, for asserting on text. Snapshots keep the colours;
 * only `ESC [ digits m` is removed, so any other escape sequence still shows.
 */
export function plain(frame: string | undefined): string {
  return (frame ?? '').replace(/\x1b\[[0-9;]*m/g, '');
}
