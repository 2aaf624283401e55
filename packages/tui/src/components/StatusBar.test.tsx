/** @jsxRuntime automatic */
/** @jsxImportSource react */
import { describe, expect, it } from 'vitest';
import type { ConnStatus } from '../state/chat-reducer.js';
import { plain, render } from '../test/render.js';
import { StatusBar } from './StatusBar.js';

const states: Record<string, ConnStatus> = {
  idle: { state: 'idle' },
  connecting: { state: 'connecting', attempt: 0 },
  reconnecting: { state: 'connecting', attempt: 3 },
  online: { state: 'online' },
  offline: {
    state: 'offline',
    reason: 'connection refused (is the server running?)',
    attempt: 2,
    retryInMs: 1800,
  },
  stopped: { state: 'stopped', reason: 'replaced by another connection' },
  'name refused': { state: 'waiting', for: 'name', reason: 'ann is taken' },
  'password missing': { state: 'waiting', for: 'password', reason: 'missing' },
  'password wrong': { state: 'waiting', for: 'password', reason: 'wrong' },
};

describe('StatusBar', () => {
  for (const [name, conn] of Object.entries(states)) {
    it(`shows the ${name} state`, () => {
      const { lastFrame } = render(
        <StatusBar address="chat.example:7777" me="ann" conn={conn} userCount={3} width={100} />,
      );
      expect(lastFrame()).toMatchSnapshot();
    });
  }

  it('shows the scrolled-back marker with the count of new lines', () => {
    const { lastFrame } = render(
      <StatusBar
        address="h:1"
        me="ann"
        conn={{ state: 'online' }}
        userCount={1}
        scrolled
        newCount={12}
        width={100}
      />,
    );
    expect(plain(lastFrame())).toContain('↓ 12 new');
    expect(plain(lastFrame())).toContain('1 user');
    expect(lastFrame()).toMatchSnapshot();
  });

  it('fits in a narrow terminal on one row', () => {
    const { lastFrame } = render(
      <StatusBar
        address="a-long-host-name.example.org:7777"
        me="ann"
        conn={states.offline!}
        userCount={1}
        width={40}
      />,
    );
    expect(lastFrame()!.split('\n')).toHaveLength(1);
    expect(lastFrame()).toMatchSnapshot();
  });

  it('shows lag once a pong is late, then "not responding"', () => {
    const bar = (lagMs?: number): string =>
      plain(
        render(
          <StatusBar
            address="h:1"
            me="ann"
            conn={{ state: 'online' }}
            lagMs={lagMs}
            userCount={3}
            width={100}
          />,
        ).lastFrame(),
      );
    expect(bar()).toContain('● online │ 3 users');
    expect(bar(12_000)).toContain('● online · lag 12s');
    expect(bar(15_000)).toContain('not responding (15s)');
    expect(bar(15_000)).not.toContain('lag');
  });

  it('counts the reconnect down in whole seconds', () => {
    const bar = (retryInMs: number): string =>
      plain(
        render(
          <StatusBar
            address="h:1"
            me="ann"
            conn={{ state: 'offline', reason: 'refused', attempt: 4, retryInMs }}
            userCount={0}
            width={100}
          />,
        ).lastFrame(),
      );
    expect(bar(4_000)).toContain('retry in 4s');
    expect(bar(3_200)).toContain('retry in 4s');
    expect(bar(3_000)).toContain('retry in 3s');
    expect(bar(0)).toContain('retry in 0s');
  });

  it('names the server the retry goes to when there are several, and says tls', () => {
    const { lastFrame } = render(
      <StatusBar
        address="a.example:7000"
        tls
        me="ann"
        conn={{
          state: 'offline',
          reason: 'refused',
          attempt: 1,
          retryInMs: 500,
          next: 'b.example:7001',
        }}
        userCount={0}
        width={100}
      />,
    );
    expect(plain(lastFrame())).toContain(
      'ciao │ a.example:7000 tls │ ann │ ○ offline, retry b.example:7001 in 1s (^T now): refused',
    );
    expect(lastFrame()).toMatchSnapshot();
  });
});
