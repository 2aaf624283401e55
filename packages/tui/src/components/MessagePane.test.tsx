/** @jsxRuntime automatic */
/** @jsxImportSource react */
import { describe, expect, it } from 'vitest';
import stringWidth from 'string-width';
import { outgoingLine } from '../state/chat-reducer.js';
import { dm, join, leave, msg, nick, T0 } from '../test/frames.js';
import { plain, render, stateFrom } from '../test/render.js';
import { BEGINNING, MessagePane } from './MessagePane.js';
import { ColourContext } from '../hooks/use-colour.js';
import { dayOf } from '../layout/line-rows.js';
import { MENTION_COLOUR } from '../state/nick-colours.js';

describe('MessagePane', () => {
  it('shows each kind of event', () => {
    const state = stateFrom([
      join(1, 'bob'),
      msg(2, 'bob', 'hello ann, how are you?'),
      msg(3, 'ann', 'fine!'),
      msg(4, 'bob', 'waves', { action: true }),
      dm(5, 'bob', 'ann', 'a secret'),
      nick(6, 'bob', 'robert'),
      leave(7, 'robert', { reason: 'timeout' }),
      { type: 'notice', text: 'server restarting soon' },
      { type: 'error', code: 'no_such_user', message: 'nobody called zed is here' },
    ]);
    const { lastFrame } = render(<MessagePane lines={state.lines} width={70} height={10} />);
    expect(lastFrame()).toMatchSnapshot();
  });

  it('marks unconfirmed messages pending and refused ones failed', () => {
    let state = stateFrom([msg(1, 'bob', 'hi')]);
    state = {
      ...state,
      outbox: [{ id: 'x-1', ts: T0, frame: { type: 'say', text: 'on its way', id: 'x-1' } }],
    };
    const failed = stateFrom([
      msg(1, 'bob', 'hi'),
      { type: 'error', code: 'rate_limited', message: 'slow down', id: 'x-0' },
    ]);
    const pending = state.outbox.map((item) => outgoingLine(item, 'ann'));
    const { lastFrame } = render(
      <MessagePane
        lines={[
          ...failed.lines,
          {
            ...failed.lines[0]!,
            key: 'f',
            seq: 2,
            text: 'too fast',
            own: true,
            from: 'ann',
            failed: 'rate limited: slow down',
          },
        ]}
        pending={pending}
        width={70}
        height={4}
      />,
    );
    expect(plain(lastFrame())).toContain('⋯');
    expect(plain(lastFrame())).toContain('not sent: rate limited: slow down');
    expect(lastFrame()).toMatchSnapshot();
  });

  it('wraps long lines under the text, within the width', () => {
    const state = stateFrom([
      msg(
        1,
        'bob',
        'this is a rather long message that will certainly need more than one row at this width',
      ),
    ]);
    const { lastFrame } = render(<MessagePane lines={state.lines} width={40} height={4} />);
    for (const row of lastFrame()!.split('\n')) expect(stringWidth(row)).toBeLessThanOrEqual(40);
    expect(lastFrame()).toMatchSnapshot();
  });

  it('wraps wide characters and emoji by display width', () => {
    const state = stateFrom([msg(1, 'bob', '日本語のテキストと絵文字 👍🏽👨‍👩‍👧 がたくさんありますよ')]);
    const { lastFrame } = render(<MessagePane lines={state.lines} width={24} height={4} />);
    for (const row of lastFrame()!.split('\n')) expect(stringWidth(row)).toBeLessThanOrEqual(24);
    expect(lastFrame()).toMatchSnapshot();
  });

  it("shows multi-line text as one block, each row under the text and marked as the sender's", () => {
    const state = stateFrom([msg(1, 'bob', 'line one\n  indented\n<alice> not alice')]);
    const { lastFrame } = render(<MessagePane lines={state.lines} width={40} height={3} />);
    expect(plain(lastFrame()).split('\n')).toEqual([
      '14:03 <bob> line one',
      '          │   indented',
      '          │ <alice> not alice',
    ]);
    // The marker is in bob's colour, as his name is.
    const colour = /<\x1b\[22m(\x1b\[[0-9;]*m)bob/.exec(lastFrame()!)?.[1];
    expect(colour).toBeDefined();
    expect(lastFrame()).toContain(`${colour}│ `);
    expect(lastFrame()).toMatchSnapshot();
  });

  it('hangs /me and private messages under their text too, and long names under the stamp', () => {
    const state = stateFrom([
      msg(1, 'bob', 'waves\nagain', { action: true }),
      dm(2, 'bob', 'ann', 'psst\nhey'),
      msg(3, 'a_very_long_name_indeed', 'one\ntwo'),
    ]);
    const { lastFrame } = render(<MessagePane lines={state.lines} width={40} height={6} />);
    expect(plain(lastFrame()).split('\n')).toEqual([
      '14:03 * bob waves',
      '          │ again',
      '14:03 [bob → ann] psst',
      '                │ hey',
      '14:03 <a_very_long_name_indeed> one',
      '      │ two',
    ]);
  });

  it('stays put when scrolled back and counts what arrives below', () => {
    const frames = Array.from({ length: 20 }, (_, i) => msg(i + 1, 'bob', `message ${i + 1}`));
    const state = stateFrom(frames);
    const { lastFrame } = render(
      <MessagePane
        lines={state.lines}
        scroll={{ seq: 10, sub: 0 }}
        newCount={10}
        width={60}
        height={5}
      />,
    );
    expect(plain(lastFrame())).toContain('message 10');
    expect(plain(lastFrame())).not.toContain('message 11');
    expect(plain(lastFrame())).toContain('10 new messages below');
    expect(lastFrame()).toMatchSnapshot();
  });

  it('highlights a mention of our name', () => {
    const state = stateFrom([msg(1, 'bob', 'ann: lunch?')]);
    expect(state.lines[0]?.mention).toBe(true);
    const { lastFrame } = render(<MessagePane lines={state.lines} width={40} height={1} />);
    expect(lastFrame()).toMatchSnapshot();
  });

  it('invites to fetch older history when the top is in view', () => {
    const state = stateFrom([msg(50, 'bob', 'hi')]);
    const { lastFrame } = render(
      <MessagePane lines={state.lines} historyMore width={40} height={3} />,
    );
    expect(plain(lastFrame())).toContain('PgUp for older messages');
  });

  it('never lets text from the server reach the terminal as control sequences', () => {
    const state = stateFrom([
      msg(1, 'b\x1b[2Job', 'clear\x1b[2J\x1b[H screen \x1b]0;title\x07 bell\x07 \x9b31m c1'),
    ]);
    const { lastFrame } = render(<MessagePane lines={state.lines} width={60} height={1} />);
    expect(plain(lastFrame())).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
    expect(plain(lastFrame())).toContain('clear screen  bell  c1');
  });

  it('styles a mention as no name is styled: reversed name, bold text in the mention colour', () => {
    const state = stateFrom([msg(1, 'bob', 'ann: lunch?'), msg(2, 'cy', 'plain line')]);
    const { lastFrame } = render(<MessagePane lines={state.lines} width={40} height={2} />);
    const [mention, other] = lastFrame()!.split('\n');
    // Reverse video (SGR 7) and bright yellow (SGR 93) appear on the mention only.
    expect(mention).toContain('\x1b[7m');
    expect(mention).toContain('\x1b[93m');
    expect(other).not.toContain('\x1b[7m');
    expect(other).not.toContain('\x1b[93m');
    expect(MENTION_COLOUR).toBe('yellowBright');
  });

  it('draws no colour under NO_COLOR, but still marks a mention', () => {
    const state = stateFrom([msg(1, 'bob', 'ann: lunch?'), msg(2, 'cy', 'hi')]);
    const { lastFrame } = render(
      <ColourContext.Provider value={false}>
        <MessagePane lines={state.lines} width={40} height={2} />
      </ColourContext.Provider>,
    );
    const frame = lastFrame()!;
    // No foreground colour codes (30-37, 90-97, 38;5;n), but reverse and bold remain.
    expect(frame).not.toMatch(/\x1b\[(3[0-8]|9[0-7])[;m]/);
    expect(frame).toContain('\x1b[7m');
    expect(frame).toContain('\x1b[1m');
  });

  it('says where kept history begins once nothing older can be fetched', () => {
    const state = stateFrom([msg(1, 'bob', 'hi')]);
    const { lastFrame, rerender } = render(
      <MessagePane lines={state.lines} historyMore width={40} height={3} />,
    );
    expect(plain(lastFrame())).not.toContain(BEGINNING);
    rerender(<MessagePane lines={state.lines} width={40} height={3} />);
    expect(plain(lastFrame())).toContain(BEGINNING);
  });

  it('puts a day-change row between days and dates history older than today', () => {
    const DAY = 86_400_000;
    const state = stateFrom([msg(1, 'bob', 'yesterday'), msg(2, 'bob', 'today')]);
    const lines = [{ ...state.lines[0]!, ts: T0 - DAY }, state.lines[1]!];
    const { lastFrame } = render(
      <MessagePane lines={lines} today={dayOf(T0)} width={50} height={5} />,
    );
    expect(lastFrame()).toMatchSnapshot();
    const rows = plain(lastFrame())
      .split('\n')
      .map((r) => r.trim());
    expect(rows.slice(-4)).toEqual([
      '── Thursday 1 January 2026 ──',
      '14:03 <bob> yesterday',
      '── Friday 2 January 2026 ──',
      '14:03 <bob> today',
    ]);
  });

  it('shows a search: highlighted matches and where it stands on the last row', () => {
    const state = stateFrom([msg(1, 'bob', 'the build is red'), msg(2, 'cy', 'build green')]);
    const search = { query: 'build', at: { seq: 1, sub: 0 }, index: 2, total: 2 };
    const { lastFrame } = render(
      <MessagePane
        lines={state.lines}
        search={search}
        scroll={{ seq: 1, sub: 0 }}
        width={70}
        height={3}
      />,
    );
    expect(lastFrame()).toMatchSnapshot();
    expect(plain(lastFrame()).split('\n').at(-1)).toContain('"build": match 2 of 2');
    expect(lastFrame()).toContain('\x1b[7m');
  });

  it('shows folded joins and leaves as one line', () => {
    const state = stateFrom([
      msg(1, 'bob', 'hi'),
      ...Array.from({ length: 14 }, (_, i) => join(2 + i, `user${i}`)),
      leave(16, 'bob'),
    ]);
    const { lastFrame } = render(<MessagePane lines={state.lines} width={70} height={2} />);
    expect(plain(lastFrame()).split('\n').at(-1)?.trimEnd()).toBe(
      '14:03 → user0, user1 and 12 others joined · ← bob left',
    );
  });
});
