/** @jsxRuntime automatic */
/** @jsxImportSource react */
import { useRef, useState } from 'react';
import { Box, Text } from 'ink';
import { validateName } from '@ciao/protocol';
import { draftOf } from '../input/editor.js';
import type { InputState } from '../input/input-state.js';
import { EMPTY_INPUT } from '../input/input-state.js';
import type { KeyPress } from '../input/parse-keys.js';
import { InputLine } from './InputLine.js';
import { useColour } from '../hooks/use-colour.js';
import { useKeyHandlers } from '../hooks/use-key-handlers.js';
import { applyKeys, inputOnly } from '../input/apply-keys.js';

export interface NamePromptProps {
  readonly onSubmit: (name: string) => void;
  /** Ctrl+C. Default: nothing. */
  readonly onQuit?: () => void;
  /** Why the last name was refused (by the server, e.g. taken). Default none. */
  readonly error?: string;
  /** Pre-filled name. Default ''. */
  readonly initial?: string;
  readonly width: number;
  readonly height: number;
}

/** Asks for a name first, as the original client did, checking it as the server will. */
export function NamePrompt(props: NamePromptProps): React.JSX.Element {
  const input = useRef<InputState>({ ...EMPTY_INPUT, draft: draftOf(props.initial ?? '') });
  const [shown, setShown] = useState(input.current);
  const [error, setError] = useState<string | undefined>(undefined);
  const message = error ?? props.error;
  const c = useColour();

  const pressKeys = (keys: readonly KeyPress[]): void => {
    const current = applyKeys(input.current, keys, (state, command) => {
      if (command === 'quit') props.onQuit?.();
      if (command === 'submit') {
        const checked = validateName(state.draft.text.trim());
        if (checked.ok) props.onSubmit(checked.name);
        setError(checked.ok ? undefined : checked.reason);
      }
      // Home moves the cursor; the app's other commands (scrolling, history, completion)
      // mean nothing here.
      return command === 'home' ? inputOnly(state, command) : state;
    });
    if (current.draft.text !== input.current.draft.text) setError(undefined);
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
      // Whole rows of padding, not justifyContent="center": centring puts rows at half
      // positions and Ink 6.8 then drops the input row on every other terminal height.
      paddingTop={Math.max(0, Math.floor((props.height - 8) / 2))}
    >
      <Text bold>What is your name?</Text>
      <Text dimColor wrap="wrap">
        Up to 24 letters, digits, _ - or . (starting with a letter or digit)
      </Text>
      <Box marginTop={1} flexShrink={0}>
        <InputLine
          draft={shown.draft}
          onKeys={onKeys}
          onPaste={onPaste}
          prompt="name:"
          hint="Enter to join · Ctrl+C to leave"
          maxRows={1}
          width={Math.max(10, props.width - 4)}
        />
      </Box>
      {message !== undefined && (
        <Text color={c('red')} wrap="wrap">
          ✗ {message}
        </Text>
      )}
    </Box>
  );
}
