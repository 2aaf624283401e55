/** @jsxRuntime automatic */
/** @jsxImportSource react */
import { describe, expect, it } from 'vitest';
import { plain, render, tick } from '../test/render.js';
import { PasswordPrompt } from './PasswordPrompt.js';
import { waitFor } from '../test/wait-for.js';

describe('PasswordPrompt', () => {
  it('asks for a missing password and masks what is typed', async () => {
    let submitted = '';
    const { lastFrame, stdin } = render(
      <PasswordPrompt
        reason="missing"
        address="h:7777"
        width={60}
        height={10}
        onSubmit={(pw) => (submitted = pw)}
      />,
    );
    expect(lastFrame()).toMatchSnapshot();
    await tick();
    stdin.write('s3cret');
    await waitFor(() => plain(lastFrame()).includes('••••••'));
    expect(plain(lastFrame())).not.toContain('s3cret');
    stdin.write('\r');
    await waitFor(() => submitted === 's3cret');
  });

  it('says when the password was wrong', () => {
    const { lastFrame } = render(
      <PasswordPrompt reason="wrong" address="h:7777" width={60} height={10} onSubmit={() => {}} />,
    );
    expect(plain(lastFrame())).toContain('Wrong password for h:7777');
    expect(plain(lastFrame())).toContain('refused that password');
  });
});
