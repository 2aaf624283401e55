import { describe, expect, it } from 'vitest';
import type { ServerFrame } from '@ciao/protocol';
import type { ChatAction, ChatState } from './chat-reducer.js';
import { chatReducer, initialState, MAX_COLOURS, MAX_LINES, mentions } from './chat-reducer.js';
import { dm, join, leave, msg, nick, T0, welcome } from '../test/frames.js';

function run(state: ChatState, ...actions: ChatAction[]): ChatState {
  return actions.reduce(chatReducer, state);
}
const server = (...frames: ServerFrame[]): ChatAction => ({ type: 'server', frames, ts: T0 });
const fresh = (): ChatState =>
  run(
    initialState({ me: 'ann', address: 'h:1' }),
    server(welcome(), { type: 'history_end', more: false }),
  );
const texts = (state: ChatState): string[] =>
  state.lines.filter((l) => l.sub === 0).map((l) => `${l.seq}:${l.from ?? ''}:${l.text}`);

describe('chatReducer', () => {
  it('goes online on welcome, adopting name, token, users and limits', () => {
    const state = run(
      initialState({ me: 'Ann', address: 'h:1' }),
      server(welcome({ name: 'ann', users: ['bob', 'ann', 'Cy'], seq: 7 })),
    );
    expect(state.conn).toEqual({ state: 'online' });
    expect(state.me).toBe('ann');
    expect(state.token).toBe('tok-ann');
    expect(state.users).toEqual(['ann', 'bob', 'Cy']);
    expect(state.lastSeq).toBe(7);
    expect(state.inReplay).toBe(true);
  });

  it('orders events by seq whatever order they arrive in, and drops duplicates', () => {
    const state = run(
      fresh(),
      server(msg(3, 'bob', 'c'), msg(1, 'bob', 'a'), msg(2, 'bob', 'b'), msg(3, 'bob', 'c')),
    );
    expect(texts(state)).toEqual(['1:bob:a', '2:bob:b', '3:bob:c']);
  });

  it('merges a reconnect replay by seq without doubling what was already shown', () => {
    let state = run(fresh(), server(msg(1, 'bob', 'a'), msg(2, 'bob', 'b')));
    state = run(
      state,
      server(
        welcome({ seq: 4 }),
        msg(2, 'bob', 'b', { replay: true }),
        msg(3, 'bob', 'c', { replay: true }),
        msg(4, 'bob', 'd', { replay: true }),
        { type: 'history_end', more: false },
      ),
    );
    expect(texts(state)).toEqual(['1:bob:a', '2:bob:b', '3:bob:c', '4:bob:d']);
    expect(state.lastSeq).toBe(4);
  });

  it('keeps the old lines and shows new ones after a server restart renumbered its events', () => {
    let state = run(fresh(), server(msg(1, 'bob', 'a'), msg(2, 'bob', 'b'), msg(3, 'bob', 'c')));
    state = run(
      state,
      server(
        welcome({ seq: 1 }),
        { type: 'history_end', more: false },
        msg(2, 'bob', 'after restart'),
      ),
    );
    const texts = state.lines.filter((l) => l.kind === 'message').map((l) => l.text);
    expect(texts).toEqual(['a', 'b', 'c', 'after restart']);
    expect(new Set(state.lines.map((l) => l.key)).size).toBe(state.lines.length);
    expect(state.lastSeq).toBe(2);
  });

  it('says the history was reset when the server welcomes with another epoch, keeping the old lines above', () => {
    let state = run(
      fresh(),
      server(welcome({ seq: 0, epoch: 'e1' }), { type: 'history_end', more: false }),
      server(msg(1, 'bob', 'a'), msg(2, 'bob', 'b')),
    );
    expect(state.epoch).toBe('e1');
    // Same epoch: a resume, however the seqs look.
    state = run(
      state,
      server(welcome({ seq: 2, epoch: 'e1' }), { type: 'history_end', more: false }),
    );
    expect(state.lines.some((l) => /reset/.test(l.text))).toBe(false);
    // The data was wiped: seq 5 of the new epoch is above ours, yet not a continuation.
    state = run(
      state,
      server(
        welcome({ seq: 5, epoch: 'e2' }),
        msg(2, 'cy', 'new two', { replay: true }),
        { type: 'history_end', more: false },
        msg(6, 'cy', 'live'),
      ),
    );
    const shown = state.lines.filter((l) => l.kind === 'message' || l.kind === 'notice');
    expect(shown.map((l) => l.text)).toEqual([
      'a',
      'b',
      "the server's history was reset: the messages above are from before, and were not replayed",
      'new two',
      'live',
    ]);
    expect(state.epoch).toBe('e2');
    expect(state.lastSeq).toBe(6);
  });

  it('keeps an unconfirmed message in the outbox until the server echoes its id', () => {
    const item = { id: 'x-1', ts: T0, frame: { type: 'say' as const, text: 'hi', id: 'x-1' } };
    let state = run(fresh(), { type: 'outgoing', item });
    expect(state.outbox).toEqual([item]);
    state = run(state, server(msg(5, 'ann', 'hi', { id: 'x-1' })));
    expect(state.outbox).toEqual([]);
    expect(state.lines.at(-1)).toMatchObject({ seq: 5, own: true, text: 'hi' });
  });

  it('marks a refused message failed with the reason and takes it out of the outbox', () => {
    const item = { id: 'x-2', ts: T0, frame: { type: 'say' as const, text: 'spam', id: 'x-2' } };
    const state = run(
      fresh(),
      { type: 'outgoing', item },
      server({ type: 'error', code: 'rate_limited', message: 'slow down', id: 'x-2' }),
    );
    expect(state.outbox).toEqual([]);
    expect(state.lines.at(-1)).toMatchObject({
      own: true,
      text: 'spam',
      failed: 'rate limited: slow down',
    });
  });

  it('takes a message the server says was delivered long ago out of the outbox, not failed', () => {
    const item = { id: 'x-3', ts: T0, frame: { type: 'say' as const, text: 'old', id: 'x-3' } };
    const state = run(
      fresh(),
      { type: 'outgoing', item },
      server({ type: 'delivered', id: 'x-3', seq: 2 }),
    );
    expect(state.outbox).toEqual([]);
    expect(state.lines.at(-1)).toMatchObject({ own: true, text: 'old' });
    expect(state.lines.at(-1)?.failed).toBeUndefined();
  });

  it('shows an error without an id as an error line', () => {
    const state = run(
      fresh(),
      server({ type: 'error', code: 'no_such_user', message: 'nobody called zed' }),
    );
    expect(state.lines.at(-1)).toMatchObject({ kind: 'error', text: 'nobody called zed' });
  });

  it('tracks who is online from live join, leave and nick events', () => {
    const state = run(fresh(), server(join(1, 'cy'), leave(2, 'bob'), nick(3, 'cy', 'Cyd')));
    expect(state.users).toEqual(['ann', 'Cyd']);
  });

  it('shows a joins frame as one folded line, adds every name and moves lastSeq past it', () => {
    const names = ['cy', 'dee', 'eve', 'fay'];
    const state = run(
      fresh(),
      server({ type: 'joins', seq: 5, ts: T0, names }, msg(9, 'bob', 'x')),
    );
    // One `members` line covering seqs 5..8, as folded live joins are.
    const folded = state.lines.find((l) => l.kind === 'members');
    expect(folded).toMatchObject({ seq: 8, firstSeq: 5, joined: names, left: [] });
    expect(state.lines.filter((l) => l.sub === 0)).toHaveLength(2);
    // The single joins history keeps for that batch are the same events: not shown again.
    const replayed = run(state, server(join(6, 'dee', { replay: true })));
    expect(replayed.lines.filter((l) => l.sub === 0)).toHaveLength(2);
    expect(state.users).toEqual(['ann', 'bob', 'cy', 'dee', 'eve', 'fay']);
    expect(state.lastSeq).toBe(9);
    const again = run(state, server({ type: 'joins', seq: 5, ts: T0, names }));
    expect(again.lines).toBe(state.lines);
  });

  it('counts a big room from welcome and merges the pages of names until it has them all', () => {
    let state = run(
      initialState({ me: 'ann', address: 'h:1' }),
      server(welcome({ users: ['ann', 'bob'], userCount: 5 }), join(1, 'zed')),
    );
    expect(state.users).toEqual(['ann', 'bob', 'zed']);
    expect(state.usersTotal).toBe(6);
    expect(state.usersNext).toBe(2);
    state = run(state, {
      type: 'users_page',
      frame: { type: 'users', names: ['cy', 'dee'], offset: 2, total: 6 },
    });
    expect(state.usersNext).toBe(4);
    expect(state.lines.some((l) => l.text.startsWith('online'))).toBe(false);
    state = run(state, {
      type: 'users_page',
      frame: { type: 'users', names: ['eve', 'zed'], offset: 4, total: 6 },
    });
    expect(state.users).toEqual(['ann', 'bob', 'cy', 'dee', 'eve', 'zed']);
    expect(state.usersTotal).toBeUndefined();
    expect(state.usersNext).toBeUndefined();
  });

  it('follows our own nick change', () => {
    const state = run(fresh(), server(nick(1, 'ann', 'anna')));
    expect(state.me).toBe('anna');
  });

  it('does not change the user list for events replayed from history', () => {
    const state = run(
      initialState({ me: 'ann', address: 'h:1' }),
      server(welcome({ seq: 10, users: ['ann'] }), join(4, 'old', { replay: true }), {
        type: 'history_end',
        more: true,
        before: 4,
      }),
    );
    expect(state.users).toEqual(['ann']);
    expect(state.history).toEqual({ more: true, before: 4, loading: false });
  });

  it('flags a live mention of our name and rings once; a replayed one does not ring', () => {
    let state = run(fresh(), server(msg(1, 'bob', 'hey ANN, look')));
    expect(state.lines.at(-1)?.mention).toBe(true);
    expect(state.bells).toBe(1);
    state = run(state, server(msg(0, 'bob', 'ann?', { replay: true })));
    expect(state.bells).toBe(1);
  });

  it('counts a private message to us as a mention', () => {
    const state = run(fresh(), server(dm(1, 'bob', 'ann', 'psst')));
    expect(state.lines.at(-1)).toMatchObject({ kind: 'dm', mention: true, to: 'ann' });
  });

  it('sanitises text, names and notices from the server', () => {
    const state = run(
      fresh(),
      server(msg(1, 'b\x1b[31mob', 'x\x1b[2Jy\x1b]0;pwned\x07z'), {
        type: 'notice',
        text: 'n\x1bc!',
      }),
    );
    const shown = JSON.stringify(state.lines);
    expect(shown).not.toContain('\\u001b');
    expect(state.lines.find((l) => l.seq === 1)?.text).toBe('xyz');
  });

  it('counts lines arriving while scrolled back and resets when following again', () => {
    let state = run(fresh(), server(msg(1, 'bob', 'a')), {
      type: 'scroll',
      anchor: { seq: 1, sub: 0 },
    });
    state = run(state, server(msg(2, 'bob', 'b'), msg(3, 'bob', 'c')));
    expect(state.newCount).toBe(2);
    state = run(state, { type: 'scroll', anchor: null });
    expect(state.newCount).toBe(0);
  });

  it('does not count history merged above as new', () => {
    let state = run(fresh(), server(msg(10, 'bob', 'a')), {
      type: 'scroll',
      anchor: { seq: 10, sub: 0 },
    });
    state = run(
      state,
      { type: 'history_requested' },
      server(msg(5, 'bob', 'old', { replay: true }), {
        type: 'history_end',
        more: true,
        before: 5,
      }),
    );
    expect(state.newCount).toBe(0);
    expect(state.history).toEqual({ more: true, before: 5, loading: false });
  });

  it(`keeps at most ${MAX_LINES} lines, dropping the oldest and remembering where to fetch them`, () => {
    const frames = Array.from({ length: MAX_LINES + 10 }, (_, i) => msg(i + 1, 'bob', `m${i + 1}`));
    const state = run(fresh(), server(...frames));
    expect(state.lines.length).toBe(MAX_LINES);
    expect(state.lines.at(-1)?.seq).toBe(MAX_LINES + 10);
    expect(state.history.more).toBe(true);
    expect(state.history.before).toBe(state.lines[0]!.seq);
  });

  it('keeps local lines where they appeared when older events are merged', () => {
    let state = run(fresh(), server(msg(5, 'bob', 'five')), {
      type: 'local',
      kind: 'info',
      text: ['hint'],
      ts: T0,
    });
    state = run(state, server(msg(3, 'bob', 'three', { replay: true }), msg(6, 'bob', 'six')));
    expect(state.lines.map((l) => l.text).slice(-4)).toEqual(['three', 'five', 'hint', 'six']);
  });

  it('clears the pane but can fetch it back', () => {
    const state = run(fresh(), server(msg(1, 'bob', 'a')), { type: 'clear' });
    expect(state.lines).toEqual([]);
    expect(state.history).toEqual({ more: true, before: 2, loading: false });
  });

  it('stops waiting for history when the connection drops', () => {
    const state = run(
      fresh(),
      { type: 'history_requested' },
      { type: 'status', status: { state: 'offline', reason: 'x', attempt: 1, retryInMs: 500 } },
    );
    expect(state.history.loading).toBe(false);
  });

  it('shows the server each attempt goes to as the address, keeping what it knows of the room', () => {
    const before = fresh();
    const state = run(
      before,
      {
        type: 'status',
        status: { state: 'offline', reason: 'x', attempt: 1, retryInMs: 500, next: 'b:2' },
      },
      { type: 'status', status: { state: 'connecting', attempt: 1, server: 'b:2' } },
    );
    expect(state.address).toBe('b:2');
    expect(state).toMatchObject({
      token: before.token,
      lastSeq: before.lastSeq,
      epoch: before.epoch,
    });
    // An attempt that does not say where keeps the address.
    expect(
      run(state, { type: 'status', status: { state: 'connecting', attempt: 2 } }).address,
    ).toBe('b:2');
  });

  it('keeps a message answered unavailable pending, counting the tries; other refusals fail it', () => {
    const outgoing = (id: string): ChatAction => ({
      type: 'outgoing',
      item: { id, ts: T0, frame: { type: 'say', text: `text ${id}`, id } },
    });
    const error = (code: 'unavailable' | 'rate_limited', id: string): ChatAction =>
      server({ type: 'error', code, message: 'm', id });
    const state = run(
      fresh(),
      outgoing('a'),
      outgoing('b'),
      error('unavailable', 'a'),
      error('unavailable', 'a'),
      error('rate_limited', 'b'),
      // An answer for an id no longer pending changes nothing.
      error('unavailable', 'gone'),
    );
    expect(state.outbox.map((o) => [o.id, o.unavailable])).toEqual([['a', 2]]);
    expect(state.lines.filter((l) => l.failed !== undefined).map((l) => l.text)).toEqual([
      'text b',
    ]);
    expect(state.lines.some((l) => l.kind === 'error')).toBe(false);
  });

  it('asks for another name when the server refuses it', () => {
    const state = run(initialState({ me: 'ann', address: 'h:1' }), {
      type: 'name_rejected',
      reason: 'taken',
    });
    expect(state.nameError).toBe('taken');
    expect(run(state, { type: 'set_name', name: 'ann2' })).toMatchObject({
      me: 'ann2',
      nameError: undefined,
    });
  });
});

describe('mentions', () => {
  it('finds the name as a whole word, case-insensitively', () => {
    expect(mentions('hi Ann!', 'ann')).toBe(true);
    expect(mentions('ann: look', 'ann')).toBe(true);
    expect(mentions('ann.', 'ann')).toBe(true);
  });
  it('ignores the name inside another word', () => {
    expect(mentions('joanna', 'ann')).toBe(false);
    expect(mentions('ann_2 is here', 'ann')).toBe(false);
  });
});

describe('chatReducer: reading the room', () => {
  it('gives the people present distinct colours, fixed on their lines', () => {
    const state = run(
      initialState({ me: 'ann', address: 'h:1' }),
      server(welcome({ users: ['ann', 'bob', 'cy', 'dave', 'eve'] }), {
        type: 'history_end',
        more: false,
      }),
      server(msg(1, 'bob', 'hi'), msg(2, 'cy', 'yo'), join(3, 'fay')),
    );
    const colours = ['ann', 'bob', 'cy', 'dave', 'eve', 'fay'].map((n) => state.colours.get(n));
    expect(new Set(colours).size).toBe(6);
    expect(state.lines.find((l) => l.seq === 1)?.colour).toBe(state.colours.get('bob'));
    expect(state.lines.find((l) => l.seq === 2)?.colour).toBe(state.colours.get('cy'));
  });

  it('rings for mentions and private messages by default, for everything on "all", never on "off"', () => {
    const frames = [
      msg(1, 'bob', 'hello room'),
      msg(2, 'bob', 'ann: you there?'),
      dm(3, 'bob', 'ann', 'psst'),
    ];
    const bells = (mode: 'off' | 'mentions' | 'all'): number =>
      run(fresh(), { type: 'bell', mode }, server(...frames), server(msg(4, 'ann', 'mine'))).bells;
    expect(bells('mentions')).toBe(2);
    expect(bells('all')).toBe(3);
    expect(bells('off')).toBe(0);
  });

  it('folds joins and leaves in a row into one line, and still drops their replays', () => {
    let state = run(
      fresh(),
      server(msg(1, 'bob', 'hi'), join(2, 'cy'), join(3, 'dee'), join(4, 'eve'), leave(5, 'bob')),
    );
    const folded = state.lines.filter((l) => l.sub === 0);
    expect(folded).toHaveLength(2);
    expect(folded[1]).toMatchObject({
      kind: 'members',
      joined: ['cy', 'dee', 'eve'],
      left: ['bob'],
    });
    state = run(state, server(join(3, 'dee', { replay: true })), server(msg(6, 'cy', 'hello')));
    expect(state.lines.filter((l) => l.sub === 0)).toHaveLength(3);
    // A message ends the run: the next join starts a new line.
    state = run(state, server(join(7, 'fay')));
    expect(state.lines.at(-1)).toMatchObject({ kind: 'join', from: 'fay' });
  });

  it('folds a run of joins and leaves fetched from history too', () => {
    const state = run(
      fresh(),
      server(msg(10, 'bob', 'now')),
      server(
        join(2, 'cy', { replay: true }),
        join(3, 'dee', { replay: true }),
        leave(4, 'cy', { replay: true }),
        { type: 'history_end', more: false },
      ),
    );
    const events = state.lines.filter((l) => l.sub === 0);
    expect(events.map((l) => l.kind)).toEqual(['members', 'message']);
    expect(events[0]).toMatchObject({ joined: ['cy', 'dee'], left: ['cy'], firstSeq: 2 });
  });

  it('marks in the pane where the connection dropped and when it came back', () => {
    let state = run(fresh(), server(msg(1, 'bob', 'hi')));
    state = run(state, {
      type: 'status',
      status: { state: 'offline', reason: 'connection reset', attempt: 1, retryInMs: 500 },
      ts: T0,
    });
    expect(state.lines.at(-1)).toMatchObject({
      kind: 'divider',
      text: 'connection lost: connection reset',
    });
    // Retrying again is not a new drop.
    state = run(state, {
      type: 'status',
      status: { state: 'offline', reason: 'connection refused', attempt: 2, retryInMs: 900 },
      ts: T0 + 1_000,
    });
    expect(state.lines.filter((l) => l.kind === 'divider')).toHaveLength(1);
    state = run(state, {
      type: 'server',
      frames: [welcome({ seq: 1 }), { type: 'history_end', more: false }],
      ts: T0 + 42_000,
    });
    expect(state.lines.at(-1)).toMatchObject({
      kind: 'divider',
      text: 'reconnected as ann after 42s away',
    });
  });

  it('shows a graceful shutdown once: the notice, not the error that follows it', () => {
    const state = run(
      fresh(),
      server(
        { type: 'notice', text: 'the server is shutting down' },
        { type: 'error', code: 'shutdown', message: 'the server is shutting down', fatal: true },
      ),
    );
    expect(state.lines.filter((l) => l.text.includes('shutting down'))).toHaveLength(1);
  });

  it('puts the read marker under the last line there when new ones arrive while scrolled back', () => {
    let state = run(fresh(), server(msg(1, 'bob', 'a'), msg(2, 'bob', 'b')));
    state = run(state, { type: 'scroll', anchor: { seq: 1, sub: 0 } }, server(msg(3, 'bob', 'c')));
    expect(state.readMarker).toEqual({ seq: 2, sub: 0 });
    state = run(state, server(msg(4, 'bob', 'd')));
    expect(state.readMarker).toEqual({ seq: 2, sub: 0 });
    // Back at the bottom it stays until we write.
    state = run(state, { type: 'scroll', anchor: null });
    expect(state.readMarker).toEqual({ seq: 2, sub: 0 });
    state = run(state, {
      type: 'outgoing',
      item: { id: 'x', ts: T0, frame: { type: 'say', text: 'hi', id: 'x' } },
    });
    expect(state.readMarker).toBeUndefined();
  });

  it('says it waits for a name after "name taken" instead of "connecting"', () => {
    const state = run(initialState({ me: 'ann', address: 'h:1' }), {
      type: 'name_rejected',
      reason: 'ann is taken',
    });
    expect(state.conn).toEqual({ state: 'waiting', for: 'name', reason: 'ann is taken' });
  });

  it('forgets the colours of absent names once it remembers too many', () => {
    const many = Array.from({ length: MAX_COLOURS + 1 }, (_, i) => msg(i + 1, `u${i}`, 'hi'));
    const state = run(fresh(), server(...many));
    expect(state.colours.size).toBeLessThanOrEqual(state.users.length);
    expect(state.colours.has('bob')).toBe(true);
  });

  it('keeps the user list offset within the list', () => {
    let state = run(fresh(), { type: 'scroll_users', by: -3, max: 4 });
    expect(state.userOffset).toBe(0);
    state = run(state, { type: 'scroll_users', by: 10, max: 4 });
    expect(state.userOffset).toBe(4);
    state = run(state, { type: 'scroll_users', by: -1, max: 4 });
    expect(state.userOffset).toBe(3);
  });
});
