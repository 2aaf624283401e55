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
    expect(plain(lastFrame())).toContain('+7 more');
    expect(lastFrame()).toMatchSnapshot();
  });
});
