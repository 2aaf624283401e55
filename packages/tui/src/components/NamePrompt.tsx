/** @jsxRuntime automatic */
/** @jsxImportSource react */
import { useState } from 'react';
import { Box, Text } from 'ink';
import { validateName } from '@ciao/protocol';
import type { InputLineProps } from './InputLine.js';
import { InputLine } from './InputLine.js';

export interface NamePromptProps {
  readonly onSubmit: (name: string) => void;
  /** Why the last name was refused (by the server, e.g. taken). Default none. */
  readonly error?: string;
  /** Pre-filled name. Default ''. */
  readonly initial?: string;
  readonly width: number;
  readonly height: number;
  /** Handles Ctrl+C and other keys; see InputLine. */
  readonly onKey?: InputLineProps['onKey'];
}

/** Asks for a name first, as the original client did, checking it as the server will. */
export function NamePrompt(props: NamePromptProps): React.JSX.Element {
  const [value, setValue] = useState(props.initial ?? '');
  const [error, setError] = useState<string | undefined>(undefined);
  const shown = error ?? props.error;
  const submit = (input: string): void => {
    const checked = validateName(input.trim());
    if (!checked.ok) {
      setError(checked.reason);
      return;
    }
    setError(undefined);
    props.onSubmit(checked.name);
  };
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
          value={value}
          onChange={(next) => {
            setValue(next);
            setError(undefined);
          }}
          onSubmit={submit}
          onKey={props.onKey}
          prompt="name:"
          width={Math.max(10, props.width - 4)}
        />
      </Box>
      {shown !== undefined && (
        <Text color="red" wrap="wrap">
          ✗ {shown}
        </Text>
      )}
      <Text dimColor>Enter to join · Ctrl+C to leave</Text>
    </Box>
  );
}
