/** @jsxRuntime automatic */
/** @jsxImportSource react */
import { useRef, useState } from 'react';
import { Box, Text } from 'ink';
import type { Draft } from '../input/editor.js';
import type { InputState } from '../input/input-state.js';
import { EMPTY_INPUT } from '../input/input-state.js';
import { applyKeys, inputOnly } from '../input/apply-keys.js';
import type { KeyPress } from '../input/parse-keys.js';
import { InputLine } from './InputLine.js';
import { useColour } from '../hooks/use-colour.js';
import { useKeyHandlers } from '../hooks/use-key-handlers.js';

export interface PasswordPromptProps {
  readonly onSubmit: (password: string) => void;
  /** Ctrl+C. Default: nothing. */
  readonly onQuit?: () => void;
  /**
   * 'missing': the server wants a password and we sent none; 'wrong': it refused ours;
   * 'checking': one is on its way.
   */
  readonly reason: 'missing' | 'wrong' | 'checking';
  /** `host:port`, to say whose password. */
  readonly address: string;
  readonly width: number;
  readonly height: number;
}

const MASK = '•';

/** The draft as drawn: one mask character per character typed, the cursor where it was. */
export function maskDraft(draft: Draft): Draft {
  const count = (text: string): number => [...text].length;
  return {
    text: MASK.repeat(count(draft.text)),
    cursor: count(draft.text.slice(0, draft.cursor)),
  };
}

/** Asks for the server's password, masked, instead of failing. */
export function PasswordPrompt(props: PasswordPromptProps): React.JSX.Element {
  const c = useColour();
  const input = useRef<InputState>(EMPTY_INPUT);
  const [shown, setShown] = useState(input.current);

  const pressKeys = (keys: readonly KeyPress[]): void => {
    let current = applyKeys(input.current, keys, (state, command) => {
      if (command === 'quit') props.onQuit?.();
      if (command === 'submit' && state.draft.text !== '') {
        props.onSubmit(state.draft.text);
        return EMPTY_INPUT;
      }
      return command === 'home' ? inputOnly(state, command) : state;
    });
    // Nothing typed here goes into a history Up could bring back.
    current = { ...current, history: EMPTY_INPUT.history };
    input.current = current;
    setShown(current);
  };
  const { onKeys, onPaste } = useKeyHandlers(pressKeys);

  return (
    <Box
      flexDirection="column"
      width={props.width}
      height={props.height}
      paddingX={2}
      paddingTop={Math.max(0, Math.floor((props.height - 8) / 2))}
    >
      <Text bold>
        {props.reason === 'missing'
          ? `${props.address} wants a password`
          : `Wrong password for ${props.address}`}
      </Text>
      {props.reason === 'wrong' ? (
        <Text color={c('red')}>✗ the server refused that password: try again</Text>
      ) : props.reason === 'checking' ? (
        <Text color={c('yellow')}>◌ checking the password…</Text>
      ) : (
        <Text dimColor>
          Ask the room's host for it (--password on the command line skips this).
        </Text>
      )}
      <Box marginTop={1} flexShrink={0}>
        <InputLine
          draft={maskDraft(shown.draft)}
          onKeys={onKeys}
          onPaste={onPaste}
          prompt="password:"
          hint="Enter to join · Ctrl+C to leave"
          maxRows={1}
          width={Math.max(10, props.width - 4)}
        />
      </Box>
    </Box>
  );
}
