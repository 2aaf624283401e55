import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeSession, online } from './test/fake-transport.js';
import { msg, welcome } from './test/frames.js';
import { waitFor } from './test/wait-for.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('ChatController', () => {
  it('sends hello with our name on connect, without token or since the first time', () => {
    const { controller, transport } = fakeSession({ password: 'pw' });
    controller.start();
    transport.connect();
    expect(transport.sent).toEqual([{ type: 'hello', protocol: 1, name: 'ann', password: 'pw' }]);
  });

  it('sends a typed line with an id and shows it as pending until echoed', () => {
    const { controller, transport } = fakeSession();
    controller.start();
    online(transport);
    expect(controller.submit('hello')).toBe(true);
    expect(transport.sentOf('say')).toEqual([{ type: 'say', text: 'hello', id: 'x-1' }]);
    expect(controller.getState().outbox).toHaveLength(1);
    transport.receive(msg(1, 'ann', 'hello', { id: 'x-1' }));
    expect(controller.getState().outbox).toHaveLength(0);
  });

  it('resumes with the epoch its since counts in', () => {
    const { controller, transport } = fakeSession();
    controller.start();
    online(transport, { seq: 4, epoch: 'e1' });
    transport.receive(msg(5, 'bob', 'hi'));
    transport.drop();
    transport.sent.length = 0;
    transport.connect();
    expect(transport.sent).toEqual([
      { type: 'hello', protocol: 1, name: 'ann', token: 'tok-ann', since: 5, epoch: 'e1' },
    ]);
  });

  it('after a drop, reconnects with token and since and resends the unconfirmed with the same ids', () => {
    const { controller, transport } = fakeSession();
    controller.start();
    online(transport, { seq: 4 });
    transport.receive(msg(5, 'bob', 'hi'));
    controller.submit('one');
    transport.drop();
    controller.submit('two (typed while offline)');
    expect(controller.getState().outbox.map((o) => o.id)).toEqual(['x-1', 'x-2']);

    transport.sent.length = 0;
    transport.connect();
    expect(transport.sent).toEqual([
      { type: 'hello', protocol: 1, name: 'ann', token: 'tok-ann', since: 5 },
    ]);
    // The replay shows "one" got through before the drop: only "two" is resent.
    transport.receive(welcome({ seq: 6 }), msg(6, 'ann', 'one', { id: 'x-1', replay: true }), {
      type: 'history_end',
      more: false,
    });
    expect(transport.sentOf('say')).toEqual([
      { type: 'say', text: 'two (typed while offline)', id: 'x-2' },
    ]);
    transport.receive(msg(7, 'ann', 'two (typed while offline)', { id: 'x-2' }));
    const own = controller.getState().lines.filter((l) => l.own && l.sub === 0);
    expect(own.map((l) => [l.seq, l.text])).toEqual([
      [6, 'one'],
      [7, 'two (typed while offline)'],
    ]);
    expect(controller.getState().outbox).toEqual([]);
  });

  it('pages the member list of a big room while the list is shown, and not when hidden', () => {
    const { controller, transport } = fakeSession();
    controller.start();
    online(transport, { users: ['ann', 'bob'], userCount: 4 });
    expect(transport.sentOf('who')).toEqual([{ type: 'who', offset: 2 }]);
    transport.receive({ type: 'users', names: ['cy', 'dee'], offset: 2, total: 4 });
    expect(controller.getState().users).toEqual(['ann', 'bob', 'cy', 'dee']);
    expect(transport.sentOf('who')).toHaveLength(1);

    const hidden = fakeSession({ showUsers: false });
    hidden.controller.start();
    online(hidden.transport, { users: ['ann', 'bob'], userCount: 4 });
    expect(hidden.transport.sentOf('who')).toEqual([]);
    hidden.controller.dispatch({ type: 'toggle_users' });
    expect(hidden.transport.sentOf('who')).toEqual([{ type: 'who', offset: 2 }]);
  });

  it('paces a long outbox to the server rate instead of getting it refused', () => {
    vi.useFakeTimers();
    const { controller, transport } = fakeSession();
    controller.start();
    transport.connect();
    for (let i = 0; i < 30; i++) controller.submit(`m${i}`);
    transport.receive(welcome(), { type: 'history_end', more: false });
    expect(transport.sentOf('say')).toHaveLength(18);
    vi.advanceTimersByTime(1000);
    expect(transport.sentOf('say').length).toBeGreaterThanOrEqual(22);
    vi.advanceTimersByTime(2000);
    expect(transport.sentOf('say').map((f) => f.id)).toEqual(
      Array.from({ length: 30 }, (_, i) => `x-${i + 1}`),
    );
  });

  it('keeps a message the server could not store pending and sends it again, same id, 1 s then 2 s later', () => {
    vi.useFakeTimers();
    // random 0.999: each delay is its whole step (1 s, 2 s, 4 s, 8 s at most).
    const { controller, transport } = fakeSession({ random: () => 0.999 });
    controller.start();
    online(transport);
    controller.submit('hello');
    const unavailable = {
      type: 'error',
      code: 'unavailable',
      message: 'the room is unavailable for a moment',
      id: 'x-1',
    } as const;
    transport.receive(unavailable);
    // Pending, not failed, and no error line: the server's notices say what is going on.
    expect(controller.getState().outbox.map((o) => [o.id, o.unavailable])).toEqual([['x-1', 1]]);
    expect(
      controller.getState().lines.some((l) => l.failed !== undefined || l.kind === 'error'),
    ).toBe(false);
    vi.advanceTimersByTime(998);
    expect(transport.sentOf('say')).toHaveLength(1);
    vi.advanceTimersByTime(2);
    expect(transport.sentOf('say')).toEqual([
      { type: 'say', text: 'hello', id: 'x-1' },
      { type: 'say', text: 'hello', id: 'x-1' },
    ]);
    transport.receive(unavailable);
    vi.advanceTimersByTime(1_997);
    expect(transport.sentOf('say')).toHaveLength(2);
    vi.advanceTimersByTime(3);
    expect(transport.sentOf('say')).toHaveLength(3);
    transport.receive(msg(1, 'ann', 'hello', { id: 'x-1' }));
    expect(controller.getState().outbox).toEqual([]);
    vi.advanceTimersByTime(60_000);
    expect(transport.sentOf('say')).toHaveLength(3);
    expect(
      controller
        .getState()
        .lines.filter((l) => l.own)
        .map((l) => l.text),
    ).toEqual(['hello']);
  });

  it('after a drop, resends a message waiting on unavailable once, after the replay, not also on its timer', () => {
    vi.useFakeTimers();
    const { controller, transport } = fakeSession({ random: () => 0 });
    controller.start();
    online(transport, { seq: 3 });
    controller.submit('hello');
    transport.receive({ type: 'error', code: 'unavailable', message: 'later', id: 'x-1' });
    transport.drop();
    transport.connect();
    transport.receive(welcome({ seq: 3 }), { type: 'history_end', more: false });
    expect(transport.sentOf('say')).toHaveLength(2);
    vi.advanceTimersByTime(60_000);
    expect(transport.sentOf('say')).toHaveLength(2);
    expect(controller.getState().outbox.map((o) => o.id)).toEqual(['x-1']);
  });

  it('sends hello again when the server cannot register us yet, saying so once', () => {
    vi.useFakeTimers();
    const { controller, transport } = fakeSession({ random: () => 0.999 });
    controller.start();
    transport.connect();
    const unavailable = { type: 'error', code: 'unavailable', message: 'store down' } as const;
    transport.receive(unavailable);
    expect(transport.sentOf('hello')).toHaveLength(1);
    vi.advanceTimersByTime(1_000);
    expect(transport.sentOf('hello')).toHaveLength(2);
    transport.receive(unavailable);
    vi.advanceTimersByTime(2_000);
    expect(transport.sentOf('hello')).toHaveLength(3);
    transport.receive(welcome(), { type: 'history_end', more: false });
    expect(controller.getState().conn.state).toBe('online');
    expect(
      controller
        .getState()
        .lines.filter((l) => l.kind === 'error')
        .map((l) => l.text),
    ).toEqual(['store down']);
    vi.advanceTimersByTime(60_000);
    expect(transport.sentOf('hello')).toHaveLength(3);
  });

  it('lets a history page refused as unavailable be asked for again', () => {
    const { controller, transport } = fakeSession();
    controller.start();
    online(transport, { seq: 500 });
    controller.dispatch({ type: 'history_requested' });
    transport.receive({ type: 'error', code: 'unavailable', message: 'store down' });
    expect(controller.getState().history.loading).toBe(false);
  });

  it('answers a ping with a pong carrying the nonce', () => {
    const { controller, transport } = fakeSession();
    controller.start();
    online(transport);
    transport.receive({ type: 'ping', nonce: 42 });
    expect(transport.sentOf('pong')).toEqual([{ type: 'pong', nonce: 42 }]);
  });

  it('turns commands into frames and unknown ones into a local hint, never a message', () => {
    const { controller, transport } = fakeSession();
    controller.start();
    online(transport);
    controller.submit('/me waves');
    controller.submit('/msg bob psst');
    controller.submit('/nick anna');
    controller.submit('/who');
    expect(controller.submit('/frobnicate now')).toBe(false);
    expect(transport.sent.slice(1)).toEqual([
      { type: 'say', text: 'waves', id: 'x-1', action: true },
      { type: 'dm', to: 'bob', text: 'psst', id: 'x-2' },
      { type: 'nick', name: 'anna' },
      { type: 'who' },
    ]);
    expect(controller.getState().lines.at(-1)).toMatchObject({ kind: 'error' });
    expect(controller.getState().lines.at(-1)?.text).toContain('unknown command /frobnicate');
  });

  it('keeps an invalid nick or a missing argument in the input with a hint', () => {
    const { controller, transport } = fakeSession();
    controller.start();
    online(transport);
    // The whole argument is the name, refused as the name prompt refuses it.
    expect(controller.submit('/nick bad name')).toBe(false);
    expect(controller.getState().lines.at(-1)?.text).toMatch(/^cannot use that name: /);
    expect(controller.submit('/nick b@d')).toBe(false);
    expect(transport.sentOf('nick')).toEqual([]);
    expect(controller.submit('/msg bob')).toBe(false);
    expect(controller.getState().lines.at(-1)?.text).toBe('usage: /msg NAME TEXT');
  });

  it('shows help locally', () => {
    const { controller, transport } = fakeSession();
    controller.start();
    online(transport);
    const before = transport.sent.length;
    controller.submit('/help');
    expect(transport.sent.length).toBe(before);
    expect(controller.getState().lines.some((l) => l.text.startsWith('/msg NAME TEXT'))).toBe(true);
  });

  it('leaves with bye on /quit and {quit}', async () => {
    for (const line of ['/quit', '{quit}']) {
      const { controller, transport } = fakeSession();
      controller.start();
      online(transport);
      controller.submit(line);
      await Promise.resolve();
      expect(transport.sentOf('bye')).toEqual([{ type: 'bye', reason: 'quit' }]);
      expect(transport.stopped).toBe(true);
    }
  });

  it('asks for another name when the server refuses ours, then retries hello', () => {
    const { controller, transport } = fakeSession();
    controller.start();
    transport.connect();
    transport.receive({ type: 'error', code: 'name_taken', message: 'ann is taken' });
    expect(controller.getState().nameError).toBe('ann is taken');
    controller.setName('ann2');
    expect(transport.sentOf('hello').map((h) => h.name)).toEqual(['ann', 'ann2']);
  });

  it('stops retrying when another connection took over our name, until /reconnect', () => {
    const { controller, transport } = fakeSession();
    controller.start();
    online(transport);
    transport.receive({ type: 'error', code: 'replaced', message: 'replaced', fatal: true });
    expect(transport.held).toBe(true);
    expect(controller.getState().conn).toEqual({ state: 'stopped', reason: 'replaced' });
    expect(controller.submit('/reconnect')).toBe(true);
    expect(transport.held).toBe(false);
    expect(transport.reconnects).toBe(1);
  });

  it('asks for a password when the server wants one, telling missing from wrong', () => {
    const { controller, transport } = fakeSession();
    controller.start();
    transport.connect();
    transport.receive({
      type: 'error',
      code: 'auth_failed',
      message: 'wrong password',
      fatal: true,
    });
    expect(transport.held).toBe(true);
    expect(controller.getState().conn).toEqual({
      state: 'waiting',
      for: 'password',
      reason: 'missing',
    });
    // The socket closing behind it does not replace the question.
    transport.drop();
    expect(controller.getState().conn.state).toBe('waiting');

    controller.setPassword('guess');
    expect(transport.reconnects).toBe(1);
    transport.connect();
    expect(transport.sentOf('hello').at(-1)).toMatchObject({ password: 'guess' });
    transport.receive({
      type: 'error',
      code: 'auth_failed',
      message: 'wrong password',
      fatal: true,
    });
    expect(controller.getState().conn).toEqual({
      state: 'waiting',
      for: 'password',
      reason: 'wrong',
    });

    controller.setPassword('right');
    transport.connect();
    transport.receive(welcome(), { type: 'history_end', more: false });
    expect(transport.sentOf('hello').at(-1)).toMatchObject({ password: 'right' });
    expect(controller.getState().conn).toEqual({ state: 'online' });
  });

  it('says honestly that it waits for another name after "name taken"', () => {
    const { controller, transport } = fakeSession();
    controller.start();
    transport.connect();
    transport.receive({ type: 'error', code: 'name_taken', message: 'ann is taken' });
    expect(controller.getState().conn).toEqual({
      state: 'waiting',
      for: 'name',
      reason: 'ann is taken',
    });
    controller.setName('ann2');
    expect(controller.getState().conn.state).toBe('connecting');
  });

  it('counts the reconnect down once a second and retries at once on /reconnect', () => {
    vi.useFakeTimers();
    let now = 1_000_000;
    const { controller, transport } = fakeSession({ now: () => now });
    controller.start();
    online(transport);
    transport.drop({ state: 'offline', reason: 'connection reset', attempt: 3, retryInMs: 4_000 });
    const retry = (): number | undefined => {
      const conn = controller.getState().conn;
      return conn.state === 'offline' ? conn.retryInMs : undefined;
    };
    expect(retry()).toBe(4_000);
    now += 1_000;
    vi.advanceTimersByTime(1_000);
    expect(retry()).toBe(3_000);
    now += 1_000;
    vi.advanceTimersByTime(1_000);
    expect(retry()).toBe(2_000);
    controller.submit('/reconnect');
    expect(transport.reconnects).toBe(1);
  });

  it('shows lag reported by the connection', () => {
    const { controller, transport } = fakeSession();
    controller.start();
    online(transport);
    transport.handlers.onLag?.(12_000);
    expect(controller.getState().lagMs).toBe(12_000);
    transport.handlers.onLag?.(undefined);
    expect(controller.getState().lagMs).toBeUndefined();
  });

  it('sets the bell with /bell and refuses an unknown mode', () => {
    const { controller, transport } = fakeSession();
    controller.start();
    online(transport);
    expect(controller.getState().bell).toBe('mentions');
    expect(controller.submit('/bell all')).toBe(true);
    expect(controller.getState().bell).toBe('all');
    expect(controller.submit('/bell loud')).toBe(false);
    expect(controller.getState().bell).toBe('all');
    expect(controller.submit('/bell')).toBe(true);
    expect(controller.getState().lines.at(-1)?.text).toMatch(/^bell: all/);
  });

  it('steps through search matches, older then newer, and ends the search', () => {
    const { controller, transport } = fakeSession();
    controller.start();
    online(transport);
    transport.receive(
      msg(1, 'bob', 'the build is red'),
      msg(2, 'cy', 'lunch?'),
      msg(3, 'bob', 'build green again'),
      msg(4, 'cy', 'nice'),
    );
    expect(controller.submit('/search BUILD')).toBe(true);
    expect(controller.getState().search).toMatchObject({ at: { seq: 3 }, index: 1, total: 2 });
    expect(controller.getState().scroll).toMatchObject({ seq: 3 });
    controller.searchAgain('older');
    expect(controller.getState().search).toMatchObject({ at: { seq: 1 }, index: 2, total: 2 });
    controller.searchAgain('older');
    expect(controller.getState().search).toMatchObject({ at: { seq: 1 }, end: 'older' });
    controller.searchAgain('newer');
    expect(controller.getState().search).toMatchObject({ at: { seq: 3 }, index: 1 });
    expect(controller.submit('/search nothing-like-it')).toBe(false);
    controller.endSearch();
    expect(controller.getState().search).toBeUndefined();
    expect(controller.getState().scroll).toBeNull();
  });

  it('fetches older history once when asked at the top', () => {
    const { controller, transport } = fakeSession();
    controller.start();
    transport.connect();
    transport.receive(welcome({ seq: 300 }), msg(250, 'bob', 'x', { replay: true }), {
      type: 'history_end',
      more: true,
      before: 250,
    });
    controller.requestOlder();
    controller.requestOlder();
    expect(transport.sentOf('history')).toEqual([{ type: 'history', before: 250, limit: 100 }]);
  });

  it('applies a burst of frames in one state update when batching', async () => {
    const { controller, transport } = fakeSession({ flushMs: 5 });
    controller.start();
    online(transport);
    let updates = 0;
    controller.subscribe(() => updates++);
    for (let i = 1; i <= 200; i++) transport.receive(msg(i, 'bob', `m${i}`));
    expect(updates).toBe(0);
    await waitFor(() => updates > 0);
    expect(updates).toBe(1);
    expect(controller.getState().lines.filter((l) => l.sub === 0)).toHaveLength(200);
  });

  it('redraws less often while the room is flooded, and quickly again when it calms down', () => {
    vi.useFakeTimers();
    const { controller, transport } = fakeSession({ flushMs: 30, busyFlushMs: 100 });
    controller.start();
    online(transport);
    let updates = 0;
    controller.subscribe(() => updates++);
    let seq = 0;
    const burst = (n: number) =>
      transport.receive(...Array.from({ length: n }, () => msg(++seq, 'bob', `m${seq}`)));
    burst(50);
    vi.advanceTimersByTime(30);
    expect(updates).toBe(1);
    burst(50);
    vi.advanceTimersByTime(30);
    expect(updates).toBe(1); // busy: waits for 100 ms
    vi.advanceTimersByTime(70);
    expect(updates).toBe(2);
    burst(1);
    vi.advanceTimersByTime(100);
    expect(updates).toBe(3);
    burst(1); // the last batch was small: back to 30 ms
    vi.advanceTimersByTime(30);
    expect(updates).toBe(4);
  });
});
