/** @jsxRuntime automatic */
/** @jsxImportSource react */
import { describe, expect, it } from 'vitest';
import { App } from './app.js';
import { fakeSession, online } from './test/fake-transport.js';
import { join, msg, T0, welcome } from './test/frames.js';
import { plain, render, tick } from './test/render.js';
import { waitFor } from './test/wait-for.js';

const KEYS = {
  enter: '\r',
  up: '\x1b[A',
  pageUp: '\x1b[5~',
  pageDown: '\x1b[6~',
  end: '\x1b[F',
  tab: '\t',
  ctrlN: '\x0e',
  ctrlC: '\x03',
  ctrlR: '\x12',
  ctrlS: '\x13',
  ctrlT: '\x14',
  ctrlHome: '\x1b[1;5H',
  home: '\x1b[H',
  ctrlDown: '\x1b[1;5B',
  ctrlUp: '\x1b[1;5A',
  esc: '\x1b',
};

function setup(options: { columns?: number; rows?: number; name?: string } = {}) {
  const { controller, transport } = fakeSession({ name: options.name ?? 'ann', now: () => T0 });
  const view = render(
    <App controller={controller} columns={options.columns ?? 80} rows={options.rows ?? 12} />,
  );
  const frame = (): string => plain(view.lastFrame());
  const styled = (): string => view.lastFrame() ?? '';
  const type = async (text: string, until: (f: string) => boolean): Promise<void> => {
    view.stdin.write(text);
    await waitFor(
      () => until(frame()),
      3000,
      () => `screen after typing ${JSON.stringify(text)}:\n${frame()}`,
    );
  };
  return { controller, transport, view, frame, styled, type };
}

describe('App', () => {
  it('shows status bar, pane, user list and input; typing sends and echoes', async () => {
    const { transport, frame, styled, type, view } = setup();
    await tick();
    online(transport, { users: ['ann', 'bob'] });
    transport.receive(join(1, 'cy'), msg(2, 'bob', 'hi all'));
    await waitFor(() => frame().includes('hi all'));
    expect(styled()).toMatchSnapshot('online');

    await type('hello bob', (f) => f.includes('ann > hello bob'));
    view.stdin.write(KEYS.enter);
    await waitFor(() => transport.sentOf('say').length === 1);
    expect(transport.sentOf('say')[0]).toMatchObject({ text: 'hello bob' });
    await waitFor(() => frame().includes('⋯'), 3000, frame);
    expect(styled()).toMatchSnapshot('pending');
    transport.receive(msg(3, 'ann', 'hello bob', { id: transport.sentOf('say')[0]!.id }));
    await waitFor(() => !frame().includes('⋯'));
    expect(frame()).toContain('<ann> hello bob');
  });

  it('asks for a name first when none was given', async () => {
    const { frame, styled, type, view, controller } = setup({ name: '' });
    await waitFor(() => frame().includes('What is your name?'));
    expect(styled()).toMatchSnapshot();
    await type('zoë', (f) => f.includes('zoë'));
    view.stdin.write(KEYS.enter);
    await waitFor(() => controller.getState().me === 'zoë', 3000, frame);
  });

  it('shows the name input whatever the terminal height', async () => {
    for (const rows of [9, 10, 13, 14]) {
      const { frame } = setup({ name: '', rows, columns: 60 });
      await waitFor(() => frame().includes('What is your name?'));
      expect(frame()).toContain('name:');
    }
  });

  it('scrolls back with PageUp without being yanked down, and jumps back with End', async () => {
    const { transport, frame, styled, view } = setup({ rows: 10 });
    await tick();
    online(transport);
    transport.receive(
      ...Array.from({ length: 30 }, (_, i) => msg(i + 1, 'bob', `message ${i + 1}`)),
    );
    await waitFor(() => frame().includes('message 30'));
    view.stdin.write(KEYS.pageUp);
    await waitFor(() => frame().includes('scrolled'));
    expect(frame()).not.toContain('message 30');
    transport.receive(msg(31, 'bob', 'message 31'), msg(32, 'bob', 'message 32'));
    await waitFor(() => frame().includes('2 new'));
    expect(frame()).not.toContain('message 32');
    expect(styled()).toMatchSnapshot('scrolled back');
    view.stdin.write(KEYS.end);
    await waitFor(() => frame().includes('message 32'));
    expect(frame()).not.toContain('new messages below');
  });

  it('asks the server for older history when scrolled to the top', async () => {
    const { transport, view, frame } = setup({ rows: 10 });
    await tick();
    transport.connect();
    transport.receive(
      {
        type: 'welcome',
        protocol: 1,
        server: 'ciao',
        name: 'ann',
        token: 't',
        users: ['ann'],
        seq: 200,
        limits: { maxText: 4096, maxFrame: 65536, ratePerSec: 5, rateBurst: 20 },
      },
      ...Array.from({ length: 8 }, (_, i) => msg(190 + i, 'bob', `m${190 + i}`, { replay: true })),
      { type: 'history_end', more: true, before: 190 },
    );
    await waitFor(() => frame().includes('m197'));
    for (let i = 0; i < 3 && transport.sentOf('history').length === 0; i++) {
      view.stdin.write(KEYS.pageUp);
      await tick();
    }
    await waitFor(() => transport.sentOf('history').length === 1);
    expect(transport.sentOf('history')[0]).toEqual({ type: 'history', before: 190, limit: 100 });
  });

  it('browses input history with Up and completes names with Tab', async () => {
    const { transport, type, view, frame } = setup();
    await tick();
    online(transport, { users: ['ann', 'bobby'] });
    await type('first', (f) => f.includes('ann > first'));
    view.stdin.write(KEYS.enter);
    await waitFor(() => transport.sentOf('say').length === 1);
    await waitFor(() => !frame().includes('ann > first'));
    view.stdin.write(KEYS.up);
    await waitFor(() => frame().includes('ann > first'));
    // Clear the line, then complete.
    await type('\x7f'.repeat('first'.length), (f) => f.includes('ann > type a message'));
    await type('bo', (f) => f.includes('ann > bo'));
    view.stdin.write(KEYS.tab);
    await waitFor(() => frame().includes('ann > bobby:'));
  });

  it('hides and shows the user list with Ctrl+N, and hides it on narrow terminals', async () => {
    const { transport, view, frame } = setup();
    await tick();
    online(transport, { users: ['ann', 'bob'] });
    await waitFor(() => frame().includes('Users (2)'));
    view.stdin.write(KEYS.ctrlN);
    await waitFor(() => !frame().includes('Users (2)'));
    expect(frame()).not.toContain('ann > n');

    const narrow = setup({ columns: 50, rows: 8 });
    await tick();
    online(narrow.transport, { users: ['ann', 'bob'] });
    await waitFor(() => narrow.frame().includes('online'));
    expect(narrow.frame()).not.toContain('Users');
    expect(narrow.frame()).toMatchSnapshot('narrow');
  });

  it('redraws the whole screen on Ctrl+L', async () => {
    const { transport, view } = setup();
    await tick();
    online(transport);
    const clears = (): number => view.stdout.frames.filter((f) => f.includes('\x1b[2J')).length;
    expect(clears()).toBe(0);
    view.stdin.write('\x0c');
    await waitFor(() => clears() === 1);
  });

  it('leaves with bye on Ctrl+C', async () => {
    const { transport, view } = setup();
    await tick();
    online(transport);
    view.stdin.write(KEYS.ctrlC);
    await waitFor(() => transport.stopped);
    expect(transport.sentOf('bye')).toHaveLength(1);
  });

  it('shows the connection going down and coming back', async () => {
    const { transport, frame } = setup();
    await tick();
    online(transport);
    transport.drop({
      state: 'offline',
      reason: 'connection refused (is the server running?)',
      attempt: 2,
      retryInMs: 2000,
    });
    await waitFor(() => frame().includes('offline'));
    expect(frame().split('\n')[0]).toMatchSnapshot('offline');
    online(transport);
    await waitFor(() => frame().includes('reconnected as ann after'));
    expect(frame().split('\n')[0]).toContain('● online');
    // The gap is marked where it began and where it ended.
    expect(frame()).toMatch(/\d\d:\d\d ── connection lost: connection refused/);
    expect(frame()).toMatch(/\d\d:\d\d ── reconnected as ann after 0s away ──/);
  });

  it('rings the bell for a live mention, not for one replayed from history', async () => {
    const { transport, frame, view } = setup();
    await tick();
    transport.connect();
    transport.receive(welcome({ seq: 5 }), msg(4, 'bob', 'old news for ann', { replay: true }), {
      type: 'history_end',
      more: false,
    });
    await waitFor(() => frame().includes('old news'));
    const bells = () => view.stdout.frames.filter((f) => f === '\x07').length;
    expect(bells()).toBe(0);
    transport.receive(msg(6, 'bob', 'ann, are you there?'));
    await waitFor(
      () => bells() === 1,
      3000,
      () => JSON.stringify(view.stdout.frames.slice(-3)),
    );
  });

  it('never writes an escape sequence a peer sent', async () => {
    const { transport, frame, view } = setup();
    await tick();
    online(transport);
    transport.receive(msg(1, 'bob', 'boom\x1b[2J\x1b[H\x1b]0;owned\x07\x1bc\x9b1;1H done'));
    await waitFor(() => frame().includes('done'));
    const everything = plain(view.stdout.frames.join(''));
    expect(everything).not.toContain('\x1b');
    expect(everything).not.toContain('\x9b');
    expect(everything).not.toContain('owned\x07');
  });

  describe('paste and multi-line messages', () => {
    const PASTE = (text: string): string => `\x1b[200~${text}\x1b[201~`;

    it('sends a 3-line bracketed paste as ONE message on Enter', async () => {
      const { transport, view, frame, styled } = setup({ rows: 14 });
      await tick();
      online(transport);
      view.stdin.write(PASTE('one\rtwo\rthree'));
      await waitFor(() => frame().includes('3 lines · Enter sends as one message · Esc cancels'));
      expect(transport.sentOf('say')).toHaveLength(0);
      expect(styled()).toMatchSnapshot('pasted');
      view.stdin.write(KEYS.enter);
      await waitFor(() => transport.sentOf('say').length === 1);
      expect(transport.sentOf('say')[0]).toMatchObject({ text: 'one\ntwo\nthree' });
      await waitFor(() => frame().includes('ann > type a message'));
    });

    it('sends nothing when Esc cancels the paste', async () => {
      const { transport, view, frame } = setup();
      await tick();
      online(transport);
      await type(view, frame, 'see: ', 'ann > see:');
      view.stdin.write(PASTE('one\rtwo\rthree'));
      await waitFor(() => frame().includes('3 lines'));
      view.stdin.write('\x1b');
      await waitFor(() => !frame().includes('3 lines'), 3000, frame);
      expect(frame()).toContain('ann > see: ');
      expect(transport.sentOf('say')).toHaveLength(0);
    });

    it('asks before sending a paste of more than 5 lines; the second Enter sends', async () => {
      const { transport, view, frame } = setup({ rows: 14 });
      await tick();
      online(transport);
      view.stdin.write(PASTE(Array.from({ length: 30 }, (_, i) => `line ${i + 1}`).join('\n')));
      await waitFor(() => frame().includes('30 lines'));
      view.stdin.write(KEYS.enter);
      await waitFor(() => frame().includes('Send 30 lines as one message? Enter sends'));
      expect(transport.sentOf('say')).toHaveLength(0);
      view.stdin.write(KEYS.enter);
      await waitFor(() => transport.sentOf('say').length === 1);
      expect(transport.sentOf('say')[0]!.text.split('\n')).toHaveLength(30);
    });

    it('starts a new line with Alt+Enter and sends the lines as one message', async () => {
      const { transport, view, frame } = setup();
      await tick();
      online(transport);
      view.stdin.write('first\x1b\rsecond');
      await waitFor(() => frame().includes('2 lines'), 3000, frame);
      view.stdin.write(KEYS.enter);
      await waitFor(() => transport.sentOf('say').length === 1);
      expect(transport.sentOf('say')[0]).toMatchObject({ text: 'first\nsecond' });
    });

    it('keeps the status bar and the newest message with 5,000 characters in the input', async () => {
      const { transport, view, frame, styled } = setup({ columns: 80, rows: 20 });
      await tick();
      online(transport);
      transport.receive(msg(1, 'bob', 'the newest message'));
      await waitFor(() => frame().includes('the newest message'));
      view.stdin.write('y'.repeat(5000));
      await waitFor(() => frame().includes('5,000/4,096'), 3000, frame);
      const rows = frame().split('\n');
      expect(rows).toHaveLength(20);
      expect(rows[0]).toMatch(/^ciao │/);
      expect(frame()).toContain('the newest message');
      expect(frame()).toContain('✗ too long: 904 characters over the limit of 4,096');
      expect(styled()).toMatchSnapshot('5000 characters');
      // Enter keeps it in the input: nothing is sent.
      view.stdin.write(KEYS.enter);
      await tick(50);
      expect(transport.sentOf('say')).toHaveLength(0);
      expect(frame()).toContain('5,000/4,096');
    });

    it('applies every key of a chunk: text, Ctrl+W, text, Enter in one write', async () => {
      const { transport, view } = setup();
      await tick();
      online(transport);
      view.stdin.write('hello wor\x17X\r');
      await waitFor(() => transport.sentOf('say').length === 1);
      expect(transport.sentOf('say')[0]).toMatchObject({ text: 'hello X' });
    });
  });

  it('jumps to the oldest line with Ctrl+Home, or Home on an empty line, and back with End', async () => {
    const { transport, frame, view, type } = setup();
    await tick();
    online(transport);
    transport.receive(
      ...Array.from({ length: 40 }, (_, i) => msg(i + 1, 'bob', `message ${i + 1}`)),
    );
    await waitFor(() => frame().includes('message 40'));
    // Ctrl+Home jumps even with a line being typed (Home then moves the cursor).
    await type('draft', (f) => f.includes('ann > draft'));
    view.stdin.write(KEYS.ctrlHome);
    await waitFor(
      () => frame().includes('message 1\n') || frame().includes('message 1 '),
      3000,
      frame,
    );
    expect(frame()).toContain('beginning of kept history');
    view.stdin.write(KEYS.end);
    await waitFor(() => frame().includes('message 40') && !frame().includes('message 1 '));
    for (let i = 0; i < 5; i++) view.stdin.write('\x7f');
    await waitFor(() => !frame().includes('ann > draft'));
    view.stdin.write(KEYS.home);
    await waitFor(() => frame().includes('beginning of kept history'), 3000, frame);
  });

  it('searches with Ctrl+R from what is typed, steps older (Ctrl+R) and newer (Ctrl+S), and Esc ends it', async () => {
    const { transport, frame, view, type } = setup();
    await tick();
    online(transport);
    transport.receive(
      msg(1, 'bob', 'deploy one'),
      ...Array.from({ length: 20 }, (_, i) => msg(i + 2, 'cy', `chatter ${i}`)),
      msg(22, 'bob', 'deploy two'),
      msg(23, 'cy', 'the end'),
    );
    await waitFor(() => frame().includes('the end'));
    await type('deploy', (f) => f.includes('ann > deploy'));
    view.stdin.write(KEYS.ctrlR);
    await waitFor(() => frame().includes('"deploy": match 1 of 2'), 3000, frame);
    view.stdin.write(KEYS.ctrlR);
    await waitFor(() => frame().includes('"deploy": match 2 of 2'), 3000, frame);
    expect(frame()).toContain('deploy one');
    view.stdin.write(KEYS.ctrlS);
    await waitFor(() => frame().includes('"deploy": match 1 of 2'), 3000, frame);
    view.stdin.write(KEYS.esc);
    await waitFor(() => !frame().includes('"deploy"'), 3000, frame);
    expect(frame()).toContain('the end');
  });

  it('offers /search on Ctrl+R with nothing typed', async () => {
    const { transport, frame, view } = setup();
    await tick();
    online(transport);
    await waitFor(() => frame().includes('ann >'));
    view.stdin.write(KEYS.ctrlR);
    await waitFor(() => frame().includes('ann > /search'), 3000, frame);
  });

  it('reconnects now with Ctrl+T', async () => {
    const { transport, view } = setup();
    await tick();
    online(transport);
    transport.drop();
    view.stdin.write(KEYS.ctrlT);
    await waitFor(() => transport.reconnects === 1);
  });

  it('asks for the password the server wants, masked, and connects again with it', async () => {
    const { transport, frame, view, type } = setup();
    await tick();
    transport.connect();
    transport.receive({
      type: 'error',
      code: 'auth_failed',
      message: 'wrong password',
      fatal: true,
    });
    await waitFor(() => frame().includes('wants a password'), 3000, frame);
    await type('hunter2', (f) => f.includes('•••••••'));
    expect(frame()).not.toContain('hunter2');
    view.stdin.write(KEYS.enter);
    await waitFor(() => transport.reconnects === 1);
    transport.connect();
    expect(transport.sentOf('hello').at(-1)).toMatchObject({ password: 'hunter2' });
  });

  it('never sends keys typed as the password prompt takes over as a message', async () => {
    const { transport, view, frame } = setup();
    await tick();
    transport.connect();
    await waitFor(() => frame().includes('ann >'));
    transport.receive({
      type: 'error',
      code: 'auth_failed',
      message: 'wrong password',
      fatal: true,
    });
    // Typed in the same moment, before the prompt's input is listening.
    view.stdin.write('hunter2\r');
    await waitFor(() => frame().includes('wants a password'));
    online(transport);
    await waitFor(() => frame().includes('● online'));
    expect(transport.sentOf('say')).toEqual([]);
    expect(frame()).not.toContain('hunter2');
  });

  it('scrolls the user list with Ctrl+Down', async () => {
    const { transport, frame, view } = setup({ rows: 8 });
    await tick();
    const users = Array.from({ length: 12 }, (_, i) => `user${String(i).padStart(2, '0')}`);
    online(transport, { users: ['ann', ...users] });
    await waitFor(() => frame().includes('Users (13)'));
    expect(frame()).not.toContain('↑ 1 more');
    view.stdin.write(KEYS.ctrlDown);
    await waitFor(() => frame().includes('↑ 1 more'), 3000, frame);
    // Past the end it stops, and one Ctrl+Up moves back at once.
    for (let i = 0; i < 20; i++) view.stdin.write(KEYS.ctrlDown);
    await waitFor(() => frame().includes('user11'), 3000, frame);
    const end = frame();
    view.stdin.write(KEYS.ctrlUp);
    await waitFor(() => frame() !== end && !frame().includes('user11'), 3000, frame);
  });
});

async function type(
  view: { stdin: { write: (data: string) => void } },
  frame: () => string,
  text: string,
  expected: string,
): Promise<void> {
  view.stdin.write(text);
  await waitFor(() => frame().includes(expected), 3000, frame);
}
