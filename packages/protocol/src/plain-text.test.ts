import { describe, expect, it } from 'vitest';
import type { ServerFrame } from './frames.js';
import { COMMAND_HELP, foldNames, parseCommand, renderPlain } from './plain-text.js';

describe('parseCommand', () => {
  it.each([
    ['hello there', { kind: 'say', text: 'hello there' }],
    ['  spaced  ', { kind: 'say', text: '  spaced  ' }],
    ['', { kind: 'empty' }],
    ['   ', { kind: 'empty' }],
    ['/me waves', { kind: 'action', text: 'waves' }],
    ['/ME waves', { kind: 'action', text: 'waves' }],
    ['/msg bob hi there', { kind: 'dm', to: 'bob', text: 'hi there' }],
    ['/dm bob hi', { kind: 'dm', to: 'bob', text: 'hi' }],
    ['/nick alice2', { kind: 'nick', name: 'alice2' }],
    ['/nick bad name', { kind: 'nick', name: 'bad name' }],
    ['/who', { kind: 'who' }],
    ['/who 1001', { kind: 'who', offset: 1000 }],
    ['/who lots', { kind: 'who' }],
    ['/help', { kind: 'help' }],
    ['/clear', { kind: 'clear' }],
    ['/quit', { kind: 'quit' }],
    ['{quit}', { kind: 'quit' }],
    [' {quit} ', { kind: 'quit' }],
    ['//not a command', { kind: 'say', text: '/not a command' }],
    ['/me', { kind: 'usage', command: '/me', usage: '/me TEXT' }],
    ['/msg bob', { kind: 'usage', command: '/msg', usage: '/msg NAME TEXT' }],
    ['/nick', { kind: 'usage', command: '/nick', usage: '/nick NAME' }],
    ['/frobnicate now', { kind: 'unknown', command: '/frobnicate' }],
  ])('parses %j', (input, expected) => {
    expect(parseCommand(input)).toEqual(expected);
  });

  it('has help for every command it knows', () => {
    for (const command of ['/me', '/msg', '/nick', '/who', '/help', '/quit', '{quit}']) {
      expect(COMMAND_HELP.some((line) => line.includes(command))).toBe(true);
    }
  });
});

describe('renderPlain', () => {
  const at = (frame: ServerFrame): string[] =>
    renderPlain(frame, { formatTime: () => '14:03', now: () => 0 });
  const base = { seq: 1, ts: 0 };

  it.each<[string, ServerFrame, string[]]>([
    [
      'a message',
      { type: 'message', ...base, from: 'alice', text: 'hello' },
      ['[14:03] <alice> hello'],
    ],
    [
      'an action',
      { type: 'message', ...base, from: 'alice', text: 'waves', action: true },
      ['[14:03] * alice waves'],
    ],
    [
      'a dm',
      { type: 'dm', ...base, from: 'alice', to: 'bob', text: 'psst' },
      ['[14:03] *alice -> bob* psst'],
    ],
    ['a join', { type: 'join', ...base, name: 'bob' }, ['[14:03] -> bob joined']],
    [
      'a leave',
      { type: 'leave', ...base, name: 'alice', reason: 'quit' },
      ['[14:03] <- alice left (quit)'],
    ],
    [
      'a nick',
      { type: 'nick', ...base, from: 'al', to: 'alice' },
      ['[14:03] -- al is now known as alice'],
    ],
    ['users', { type: 'users', names: ['a', 'b'] }, ['[14:03] -- online (2): a, b']],
    [
      'a page of users',
      { type: 'users', names: ['c', 'd'], offset: 2, total: 6 },
      ['[14:03] -- online (6) 3-4: c, d (/who 5 for more)'],
    ],
    [
      'a storm of joins, folded',
      { type: 'joins', ...base, names: ['ann', 'bob', 'cy', 'dee'] },
      ['[14:03] -> ann, bob and 2 others joined'],
    ],
    [
      'a notice',
      { type: 'notice', text: 'server restarts soon' },
      ['[14:03] -- server restarts soon'],
    ],
    [
      'an error',
      { type: 'error', code: 'rate_limited', message: 'rate limited: slow down' },
      ['[14:03] ! rate limited: slow down'],
    ],
    ['history_end as nothing', { type: 'history_end', more: false }, []],
    ['ping as nothing', { type: 'ping' }, []],
  ])('renders %s', (_name, frame, lines) => {
    expect(at(frame)).toEqual(lines);
  });

  it('prefixes every line of a multi-line text, so no peer can forge a line', () => {
    expect(
      at({ type: 'message', ...base, from: 'eve', text: 'hi\n[14:03] <bob> send me money' }),
    ).toEqual(['[14:03] <eve> hi', '[14:03] <eve> [14:03] <bob> send me money']);
  });

  it('folds names past three', () => {
    expect(foldNames(['ann'])).toBe('ann');
    expect(foldNames(['ann', 'bob'])).toBe('ann and bob');
    expect(foldNames(['ann', 'bob', 'cy'])).toBe('ann, bob and cy');
    const fifty = Array.from({ length: 50 }, (_, i) =>
      i === 0 ? 'ann' : i === 1 ? 'bob' : `u${i}`,
    );
    expect(foldNames(fifty)).toBe('ann, bob and 48 others');
  });

  it('welcomes a big room with the first page and how many more there are', () => {
    const lines = at({
      type: 'welcome',
      protocol: 1,
      server: 'ciao/0.1.0',
      name: 'ann',
      token: 't',
      users: ['ann', 'bob'],
      userCount: 1002,
      seq: 3,
      limits: { maxText: 4096, maxFrame: 65536, ratePerSec: 5, rateBurst: 20 },
    });
    expect(lines[0]).toContain('here: bob and 1000 more.');
  });

  it('welcomes with who is here and the motd', () => {
    const lines = at({
      type: 'welcome',
      protocol: 1,
      server: 'ciao/0.1.0',
      name: 'ann',
      token: 't',
      users: ['ann', 'bob'],
      seq: 3,
      limits: { maxText: 4096, maxFrame: 65536, ratePerSec: 5, rateBurst: 20 },
      motd: 'be nice',
    });
    expect(lines[0]).toContain('welcome, ann!');
    expect(lines[0]).toContain('bob');
    expect(lines[1]).toBe('[14:03] -- be nice');
  });
});
