/** @jsxRuntime automatic */
/** @jsxImportSource react */
import { useState } from 'react';
import { describe, expect, it, vi } from 'vitest';
import type { Key } from 'ink';
import { render, tick } from '../test/render.js';
import { waitFor } from '../test/wait-for.js';
import { InputLine } from './InputLine.js';

function Harness(props: {
  onSubmit: (v: string) => void;
  onKey?: (input: string, key: Key, value: string) => boolean;
}): React.JSX.Element {
  const [value, setValue] = useState('');
  return (
    <InputLine
      value={value}
      onChange={setValue}
      onSubmit={props.onSubmit}
      onKey={props.onKey}
      prompt="ann >"
      hint="Enter send"
      width={60}
    />
  );
}

describe('InputLine', () => {
  it('shows the prompt, the placeholder and the hint', () => {
    const { lastFrame } = render(
      <InputLine
        value=""
        onChange={() => {}}
        onSubmit={() => {}}
        prompt="ann >"
        hint="Enter send · ^C quit"
        placeholder="type a message"
        width={60}
      />,
    );
    expect(lastFrame()).toMatchSnapshot();
  });

  it('shows what is typed and submits it on Enter', async () => {
    const onSubmit = vi.fn();
    const { lastFrame, stdin } = render(<Harness onSubmit={onSubmit} />);
    await tick();
    stdin.write('hello');
    await waitFor(() => lastFrame()!.includes('hello'));
    expect(lastFrame()).toMatchSnapshot();
    stdin.write('\r');
    await waitFor(() => onSubmit.mock.calls.length > 0);
    expect(onSubmit).toHaveBeenCalledWith('hello');
  });

  it('does not insert the letter of a Ctrl key', async () => {
    const onKey = vi.fn((_: string, key: Key) => key.ctrl && _ === 'n');
    const { lastFrame, stdin } = render(<Harness onSubmit={() => {}} onKey={onKey} />);
    await tick();
    stdin.write('a');
    await waitFor(() => lastFrame()!.includes('ann > a'));
    stdin.write('\x0e'); // Ctrl+N
    stdin.write('b');
    await waitFor(() => lastFrame()!.includes('ann > ab'));
    expect(onKey).toHaveBeenCalledTimes(3);
  });

  it('keeps every key of a burst: text then Enter in the same tick', async () => {
    const onSubmit = vi.fn();
    const { stdin } = render(<Harness onSubmit={onSubmit} />);
    await tick();
    stdin.write('fast typist');
    stdin.write('!');
    stdin.write('\r');
    await waitFor(() => onSubmit.mock.calls.length > 0);
    expect(onSubmit).toHaveBeenCalledWith('fast typist!');
  });
});
