/** @jsxRuntime automatic */
/** @jsxImportSource react */
import { describe, expect, it } from 'vitest';
import { plain, render } from '../test/render.js';
import { UserList } from './UserList.js';

describe('UserList', () => {
  it('lists who is online', () => {
    const { lastFrame } = render(
      <UserList users={['ann', 'bob', 'cy']} me="ann" width={16} height={5} />,
    );
    expect(lastFrame()).toMatchSnapshot();
  });

  it('sums up the names that do not fit', () => {
    const users = Array.from({ length: 10 }, (_, i) => `user${i}`);
    const { lastFrame } = render(<UserList users={users} me="ann" width={16} height={5} />);
    expect(plain(lastFrame())).toContain('↓ 7 more');
    expect(lastFrame()).toMatchSnapshot();
  });

  it('scrolls, keeping the count, to the last full screen at most', () => {
    const users = Array.from({ length: 10 }, (_, i) => `user${i}`);
    const { lastFrame, rerender } = render(
      <UserList users={users} me="ann" offset={3} width={16} height={6} />,
    );
    expect(
      plain(lastFrame())
        .split('\n')
        .map((row) => row.slice(2).trimEnd()),
    ).toEqual(['Users (10)', '↑ 3 more', 'user3', 'user4', 'user5', '↓ 4 more']);
    rerender(<UserList users={users} me="ann" offset={99} width={16} height={6} />);
    expect(
      plain(lastFrame())
        .split('\n')
        .map((row) => row.slice(2).trimEnd()),
    ).toEqual(['Users (10)', '↑ 6 more', 'user6', 'user7', 'user8', 'user9']);
  });

  it('gives the names the colours assigned in the room', () => {
    const colours = new Map([
      ['ann', 'ansi256(39)'],
      ['bob', 'ansi256(208)'],
    ]);
    const { lastFrame } = render(
      <UserList users={['ann', 'bob']} me="ann" colours={colours} width={16} height={4} />,
    );
    expect(lastFrame()).toContain('\x1b[38;5;39m');
    expect(lastFrame()).toContain('\x1b[38;5;208m');
  });
});
