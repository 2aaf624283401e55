/** @jsxRuntime automatic */
/** @jsxImportSource react */
import { describe, expect, it, vi } from 'vitest';
import { Box } from 'ink';
import { plain, render, tick } from '../test/render.js';
import { waitFor } from '../test/wait-for.js';
import { TrustPrompt } from './TrustPrompt.js';

const FP =
  '53:F4:D0:1C:74:91:35:FD:A4:FC:BD:5A:A2:67:2A:0D:99:62:EA:16:EA:C7:2C:46:09:FA:7E:46:A2:58:6B:0B';

function prompt(onAnswer = vi.fn()) {
  return render(
    <Box width={72}>
      <TrustPrompt
        server="chat.example:7777"
        fingerprint={FP}
        file="/home/ann/.config/ciao/known_servers"
        onAnswer={onAnswer}
      />
    </Box>,
  );
}

describe('TrustPrompt', () => {
  it('shows the server, its whole fingerprint in two rows, the file and a y/N question', () => {
    const { lastFrame } = prompt();
    expect(lastFrame()).toMatchSnapshot();
    const text = plain(lastFrame());
    expect(text).toContain('New server: chat.example:7777');
    expect(text).toContain(`${FP.slice(0, 47)}\n    ${FP.slice(48)}\n`);
    expect(text).toContain('[y/N]');
  });

  it('answers yes only to y', async () => {
    const onAnswer = vi.fn();
    const { stdin } = prompt(onAnswer);
    await tick();
    stdin.write('x');
    stdin.write('y');
    await waitFor(() => onAnswer.mock.calls.length > 0);
    stdin.write('n');
    await tick();
    expect(onAnswer.mock.calls).toEqual([[true]]);
  });

  it('answers no to Enter, the default', async () => {
    const onAnswer = vi.fn();
    const { stdin } = prompt(onAnswer);
    await tick();
    stdin.write('\r');
    await waitFor(() => onAnswer.mock.calls.length > 0);
    expect(onAnswer.mock.calls).toEqual([[false]]);
  });
});
