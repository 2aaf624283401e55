/** @jsxRuntime automatic */
/** @jsxImportSource react */
import { useCallback, useState } from 'react';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { applyChunk } from '../input/apply-keys.js';
import type { Draft } from '../input/editor.js';
import { draftOf } from '../input/editor.js';
import { EMPTY_INPUT, inputReducer } from '../input/input-state.js';
import { KEY } from '../test/keys.js';
import { plain, render } from '../test/render.js';
import { waitFor } from '../test/wait-for.js';
import { InputLine } from './InputLine.js';

const line = (draft: Draft, extra: Partial<Parameters<typeof InputLine>[0]> = {}) =>
  render(
    <InputLine
      draft={draft}
      onKeys={() => {}}
      prompt="ann >"
      hint="Enter send · ^C quit"
      width={60}
      {...extra}
    />,
  );

/** Owns the input as the app does: every chunk and paste applied to the latest state. */
function Harness(props: { onState?: (text: string) => void }): React.JSX.Element {
  const [state, setState] = useState(EMPTY_INPUT);
  const onKeys = useCallback((chunk: string) => {
    setState((current) => {
      const next = applyChunk(current, chunk);
      props.onState?.(next.draft.text);
      return next;
    });
  }, []);
  const onPaste = useCallback((text: string) => {
    setState((current) => {
      const next = inputReducer(current, { type: 'paste', text });
      props.onState?.(next.draft.text);
      return next;
    });
  }, []);
  return (
    <InputLine
      draft={state.draft}
      onKeys={onKeys}
      onPaste={onPaste}
      pasted={state.beforePaste !== undefined}
      prompt="ann >"
      hint="Enter send"
      width={60}
    />
  );
}

describe('InputLine', () => {
  it('shows the prompt, the placeholder and the hint', () => {
    const { lastFrame } = line(draftOf(''), { placeholder: 'type a message' });
    expect(plain(lastFrame())).toBe('ann > type a message\nEnter send · ^C quit');
    expect(lastFrame()).toMatchSnapshot();
  });

  it('draws the cursor inverse on the character under it', () => {
    const { lastFrame } = line({ text: 'hello', cursor: 1 });
    expect(lastFrame()).toContain('h\x1b[7me\x1b[27mllo');
  });

  it('shows a long line in at most maxRows rows, scrolled to the cursor, with arrows', () => {
    const { lastFrame } = line(draftOf('x'.repeat(200)), { maxRows: 3 });
    const rows = plain(lastFrame()).split('\n');
    expect(rows).toHaveLength(4);
    expect(rows[0]).toMatch(/^ {4}↑ x+$/);
    expect(rows[2]).toMatch(/^ {6}x+ $/);
    expect(lastFrame()).toMatchSnapshot();
  });

  it('shows the start of a long draft with the prompt when the cursor is there', () => {
    const { lastFrame } = line({ text: 'x'.repeat(200), cursor: 0 }, { maxRows: 3 });
    const rows = plain(lastFrame()).split('\n');
    expect(rows[0]).toMatch(/^ann > x+$/);
    expect(rows[2]).toMatch(/^ {4}↓ x+$/);
  });

  it('says how many lines a pasted draft has, that Enter sends them as one and Esc cancels', () => {
    const { lastFrame } = line(draftOf('one\ntwo\nthree'), { pasted: true });
    expect(plain(lastFrame())).toBe(
      'ann > one\n      two\n      three \n3 lines · Enter sends as one message · Esc cancels',
    );
    expect(lastFrame()).toMatchSnapshot();
  });

  it('asks before a long draft is sent', () => {
    const { lastFrame } = line(draftOf('1\n2\n3\n4\n5\n6'), { confirming: true, maxRows: 2 });
    expect(plain(lastFrame())).toContain(
      'Send 6 lines as one message? Enter sends · Esc goes back',
    );
    expect(lastFrame()).toMatchSnapshot();
  });

  it('counts characters near the limit and says why an over-long draft is not sent', () => {
    expect(plain(line(draftOf('x'.repeat(3500))).lastFrame())).toContain('3,500/4,096');
    const over = line(draftOf('x'.repeat(5000)), { width: 100 }).lastFrame();
    expect(plain(over)).toContain(
      '✗ too long: 904 characters over the limit of 4,096 · 5,000/4,096 · not sent',
    );
    expect(over).toContain('\x1b[31m✗ too long');
  });

  it('applies every key of a chunk written at once (text, Ctrl+W, text)', async () => {
    const onState = vi.fn<(text: string) => void>();
    const { stdin, lastFrame } = render(<Harness onState={onState} />);
    await waitFor(() => stdin.listenerCount('readable') > 0);
    stdin.write('hello wor\x17X');
    await waitFor(
      () => plain(lastFrame()).includes('ann > hello X'),
      3000,
      () => lastFrame()!,
    );
    expect(onState).toHaveBeenLastCalledWith('hello X');
  });

  it('takes a bracketed paste as one multi-line draft, never as Enter keys', async () => {
    const { stdin, lastFrame } = render(<Harness />);
    await waitFor(() => stdin.listenerCount('readable') > 0);
    stdin.write('x\x1b[200~one\rtwo\rthree\x1b[201~');
    await waitFor(
      () => plain(lastFrame()).includes('3 lines'),
      3000,
      () => lastFrame()!,
    );
    expect(plain(lastFrame())).toBe(
      'ann > xone\n      two\n      three \n3 lines · Enter sends as one message · Esc cancels',
    );
    stdin.write('\x1b');
    await waitFor(
      () => plain(lastFrame()).startsWith('ann > x \n'),
      3000,
      () => lastFrame()!,
    );
  });

  it('gives the same line for any chunking of the keys written to stdin (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(KEY, { minLength: 1, maxLength: 25 }),
        fc.array(fc.nat(400), { maxLength: 6 }),
        async (keys, cuts) => {
          const expected = keys.reduce((state, key) => applyChunk(state, key), EMPTY_INPUT);
          // Cut anywhere, inside escape sequences too: Ink's parser joins those again.
          const input = keys.join('');
          const at = [...new Set(cuts.map((cut) => cut % input.length))].sort((a, b) => a - b);
          const chunks = [0, ...at].map((from, i) => input.slice(from, at[i] ?? input.length));
          const onState = vi.fn<(text: string) => void>();
          const view = render(<Harness onState={onState} />);
          await waitFor(() => view.stdin.listenerCount('readable') > 0);
          for (const chunk of chunks) if (chunk !== '') view.stdin.write(chunk);
          await waitFor(
            () => onState.mock.lastCall?.[0] === expected.draft.text,
            3000,
            () => `${JSON.stringify(chunks)}: ${JSON.stringify(onState.mock.lastCall?.[0])}`,
          );
          view.unmount();
        },
      ),
      { numRuns: 25 },
    );
  });
});
