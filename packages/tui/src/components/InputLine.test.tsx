/** @jsxRuntime automatic */
/** @jsxImportSource react */
import { useState } from 'react';
import { describe, expect, it, vi } from 'vitest';
import type { Key } from 'ink';
import { plain, render, tick } from '../test/render.js';
import { waitFor } from '../test/wait-for.js';
import { InputLine } from './InputLine.js';

/** Owns the value like the app does: an accepted line clears the input. */
function Harness(props: {
  onSubmit: (v: string) => void;
  onKey?: (input: string, key: Key, value: string) => void;
  onChange?: (v: string) => void;
}): React.JSX.Element {
  const [value, setValue] = useState('');
  return (
    <InputLine
      value={value}
      onChange={(next) => {
        props.onChange?.(next);
        setValue(next);
      }}
      onSubmit={(line) => {
        props.onSubmit(line);
        setValue('');
      }}
      onKey={props.onKey}
      prompt="ann >"
      hint="Enter send"
      width={60}
    />
  );
}

/** Resolves once Ink listens to stdin (the text input's key handler is subscribed). */
async function listening(stdin: { listenerCount: (event: string) => number }): Promise<void> {
  await waitFor(() => stdin.listenerCount('readable') > 0, 5_000, 'Ink to listen to stdin');
}

const CTRL_A = '\x01';
const CTRL_E = '\x05';
const CTRL_K = '\x0b';
const CTRL_U = '\x15';
const CTRL_W = '\x17';
const LEFT = '\x1b[D';
const HOME = '\x1b[H';
const END = '\x1b[F';

/** A Harness whose line (the last value reported by onChange) can be awaited. */
async function harness(): Promise<{
  write: (data: string) => void;
  /** Writes `data` and waits until the line is `expected`. */
  type: (data: string, expected: string) => Promise<void>;
}> {
  const onChange = vi.fn<(v: string) => void>();
  const { stdin } = render(<Harness onSubmit={() => {}} onChange={onChange} />);
  await listening(stdin);
  const line = (): string | undefined => onChange.mock.lastCall?.[0];
  return {
    write: (data) => stdin.write(data),
    type: async (data, expected) => {
      stdin.write(data);
      await waitFor(
        () => line() === expected,
        5_000,
        () => `"${expected}", line is "${line()}"`,
      );
    },
  };
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
    await waitFor(() => plain(lastFrame()).includes('hello'));
    expect(lastFrame()).toMatchSnapshot();
    stdin.write('\r');
    await waitFor(() => onSubmit.mock.calls.length > 0);
    expect(onSubmit).toHaveBeenCalledWith('hello');
  });

  it('does not insert the letter of a Ctrl key, and passes every key to onKey', async () => {
    const onKey = vi.fn<(input: string, key: Key, value: string) => void>();
    const { lastFrame, stdin } = render(<Harness onSubmit={() => {}} onKey={onKey} />);
    await tick();
    stdin.write('a');
    await waitFor(() => plain(lastFrame()).includes('ann > a'));
    stdin.write('\x0e'); // Ctrl+N
    await waitFor(() => onKey.mock.calls.length === 2);
    stdin.write('\x1b[5~'); // PageUp
    await waitFor(() => onKey.mock.calls.length === 3);
    stdin.write('b');
    await waitFor(() => plain(lastFrame()).includes('ann > ab'));
    expect(plain(lastFrame())).not.toContain('ann > an');
    expect(onKey.mock.calls.map(([input, key]) => [input, key.ctrl])).toEqual([
      ['a', false],
      ['n', true],
      ['', false],
      ['b', false],
    ]);
    // Keys the text input ignores come with the line as it stands.
    expect(onKey.mock.calls[1]![2]).toBe('a');
    expect(onKey.mock.calls[2]![2]).toBe('a');
  });

  it('keeps every key of a burst: keys and Enter with no render between them', async () => {
    const onSubmit = vi.fn();
    const { stdin } = render(<Harness onSubmit={onSubmit} />);
    await tick();
    // No tick between the writes: each key is handled before React re-renders, which the
    // unpatched ink-text-input answered with the value of the last render (it submitted '').
    stdin.write('h');
    stdin.write('i');
    stdin.write('\r');
    await waitFor(() => onSubmit.mock.calls.length > 0);
    expect(onSubmit.mock.calls).toEqual([['hi']]);
    // The cleared line must not keep the burst's text behind: the next line starts empty.
    stdin.write('x');
    stdin.write('\r');
    await waitFor(() => onSubmit.mock.calls.length > 1);
    expect(onSubmit.mock.calls).toEqual([['hi'], ['x']]);
  });

  it('applies keys typed after a refused line to that line', async () => {
    const onSubmit = vi.fn();
    const { lastFrame, stdin } = render(
      <InputLine value="/nope" onChange={() => {}} onSubmit={onSubmit} width={60} />,
    );
    await tick();
    // The owner keeps the line (it could not be sent); what follows waits for that answer.
    stdin.write('\r');
    stdin.write('\r');
    await waitFor(() => onSubmit.mock.calls.length === 2);
    expect(onSubmit.mock.calls).toEqual([['/nope'], ['/nope']]);
    expect(plain(lastFrame())).toContain('> /nope');
  });

  it('submits each complete line of a paste and keeps the rest', async () => {
    const onSubmit = vi.fn();
    const { lastFrame, stdin } = render(<Harness onSubmit={onSubmit} />);
    await tick();
    stdin.write('one\r\ntwo\nthr\x07ee');
    await waitFor(() => plain(lastFrame()).includes('ann > three'));
    expect(onSubmit.mock.calls).toEqual([['one'], ['two']]);
  });

  it('does not submit a pasted line twice when a key follows before a render', async () => {
    const onSubmit = vi.fn();
    const { lastFrame, stdin } = render(<Harness onSubmit={onSubmit} />);
    await tick();
    stdin.write('one\ntw');
    stdin.write('o');
    stdin.write('\r');
    await waitFor(() => onSubmit.mock.calls.length === 2);
    expect(onSubmit.mock.calls).toEqual([['one'], ['two']]);
    stdin.write('z');
    await waitFor(() => plain(lastFrame()).includes('ann > z'));
    expect(onSubmit).toHaveBeenCalledTimes(2);
  });

  it('applies Backspaces that arrive in one run with other keys', async () => {
    const onChange = vi.fn();
    const { stdin } = render(<Harness onSubmit={() => {}} onChange={onChange} />);
    await tick();
    stdin.write('ab👍\x7f\x7fd');
    await waitFor(() => onChange.mock.calls.length > 0);
    expect(onChange).toHaveBeenLastCalledWith('ad');
  });

  it('deletes a whole emoji with Backspace, not half of it', async () => {
    const onChange = vi.fn();
    const { lastFrame, stdin } = render(<Harness onSubmit={() => {}} onChange={onChange} />);
    await tick();
    stdin.write('a👍');
    await waitFor(() => plain(lastFrame()).includes('ann > a👍'));
    stdin.write('\x7f');
    await waitFor(() => onChange.mock.calls.length === 2);
    expect(onChange).toHaveBeenLastCalledWith('a');
  });

  describe('readline editing keys', () => {
    it('Ctrl+W deletes the word before the cursor, with the white space after it', async () => {
      const { type } = await harness();
      await type('hello world', 'hello world');
      await type(CTRL_W, 'hello ');
      // White space before the cursor goes first, then the word.
      await type(CTRL_W, '');
    });

    it('Ctrl+W deletes only up to the cursor', async () => {
      const { type, write } = await harness();
      await type('one two three', 'one two three');
      for (let i = 0; i < 'three'.length; i++) write(LEFT);
      await type(CTRL_W, 'one three');
      await type('2 ', 'one 2 three');
    });

    it('Ctrl+A moves the cursor to the start', async () => {
      const { type, write } = await harness();
      await type('hello world', 'hello world');
      await type(CTRL_W, 'hello ');
      write(CTRL_A);
      await type('X', 'Xhello ');
    });

    it('Ctrl+E moves the cursor to the end', async () => {
      const { type, write } = await harness();
      await type('hello', 'hello');
      write(CTRL_A);
      await type('>', '>hello');
      write(CTRL_E);
      await type('!', '>hello!');
    });

    it('Ctrl+U deletes from the start to the cursor', async () => {
      const { type, write } = await harness();
      await type('hello world', 'hello world');
      for (let i = 0; i < 'world'.length; i++) write(LEFT);
      await type(CTRL_U, 'world');
      // The cursor is at the start now.
      await type('X', 'Xworld');
    });

    it('Ctrl+K deletes from the cursor to the end', async () => {
      const { type, write } = await harness();
      await type('hello world', 'hello world');
      for (let i = 0; i < 'world'.length; i++) write(LEFT);
      await type(CTRL_K, 'hello ');
      await type('X', 'hello X');
    });

    it('Home and End move the cursor to the start and the end', async () => {
      const { type, write } = await harness();
      await type('bc', 'bc');
      write(HOME);
      await type('a', 'abc');
      write(END);
      await type('d', 'abcd');
    });

    it('leaves other Ctrl and Meta keys out of the line', async () => {
      const { type, write } = await harness();
      await type('ab', 'ab');
      write('\x02'); // Ctrl+B
      write('\x0e'); // Ctrl+N
      write('\x1bw'); // Alt+W
      write('\x1bu'); // Alt+U
      // Had any of them been typed, the line would not be "abc" now.
      await type('c', 'abc');
    });

    it('keeps a burst of text, Ctrl+W and Enter: the submitted line has the word deleted', async () => {
      const onSubmit = vi.fn();
      const { stdin } = render(<Harness onSubmit={onSubmit} />);
      await listening(stdin);
      // No wait between the writes: each key builds on the one before, not on the last render.
      stdin.write('hello world');
      stdin.write(CTRL_W);
      stdin.write('\r');
      await waitFor(() => onSubmit.mock.calls.length > 0);
      expect(onSubmit.mock.calls).toEqual([['hello ']]);
      // Cursor keys in a burst too: the line after the cleared one starts empty.
      stdin.write('bc');
      stdin.write(CTRL_A);
      stdin.write('a');
      stdin.write(CTRL_E);
      stdin.write('d');
      stdin.write('\r');
      await waitFor(() => onSubmit.mock.calls.length > 1);
      expect(onSubmit.mock.calls).toEqual([['hello '], ['abcd']]);
    });
  });
});
