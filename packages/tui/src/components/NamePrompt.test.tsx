/** @jsxRuntime automatic */
/** @jsxImportSource react */
import { describe, expect, it, vi } from 'vitest';
import { plain, render, tick } from '../test/render.js';
import { waitFor } from '../test/wait-for.js';
import { NamePrompt } from './NamePrompt.js';

describe('NamePrompt', () => {
  it('asks for a name', () => {
    const { lastFrame } = render(<NamePrompt onSubmit={() => {}} width={60} height={8} />);
    expect(lastFrame()).toMatchSnapshot();
  });

  it('refuses a name the server would refuse, saying why', async () => {
    const onSubmit = vi.fn();
    const { lastFrame, stdin } = render(<NamePrompt onSubmit={onSubmit} width={60} height={8} />);
    await tick();
    stdin.write('bad name');
    await waitFor(
      () => plain(lastFrame()).includes('bad name'),
      3000,
      () => lastFrame()!,
    );
    stdin.write('\r');
    await waitFor(() => plain(lastFrame()).includes('✗'));
    expect(onSubmit).not.toHaveBeenCalled();
    expect(lastFrame()).toMatchSnapshot();
  });

  it('accepts a valid name', async () => {
    const onSubmit = vi.fn();
    const { stdin, lastFrame } = render(<NamePrompt onSubmit={onSubmit} width={60} height={8} />);
    await tick();
    stdin.write('zoë');
    await waitFor(() => plain(lastFrame()).includes('zoë'));
    stdin.write('\r');
    await waitFor(() => onSubmit.mock.calls.length > 0);
    expect(onSubmit).toHaveBeenCalledWith('zoë');
  });

  it('shows why the server refused the last name', () => {
    const { lastFrame } = render(
      <NamePrompt
        onSubmit={() => {}}
        error='the name "ann" is taken'
        initial="ann"
        width={60}
        height={8}
      />,
    );
    expect(plain(lastFrame())).toContain('is taken');
    expect(lastFrame()).toMatchSnapshot();
  });
});
