/** @jsxRuntime automatic */
/** @jsxImportSource react */
import { useCallback, useRef } from 'react';
import type { Key } from 'ink';
import { Box, Text, useInput } from 'ink';
import TextInput from 'ink-text-input';

export interface InputLineProps {
  readonly value: string;
  readonly onChange: (value: string) => void;
  readonly onSubmit: (value: string) => void;
  /**
   * Sees every key before the text input. Return true when it handled the key: a text change
   * the same key would cause (Ctrl/Alt letters inserting themselves) is then dropped.
   */
  readonly onKey?: (input: string, key: Key) => boolean;
  /** Shown before the input, e.g. our name. Default '>'. */
  readonly prompt?: string;
  /** The key hint under the input; omitted when empty. Default ''. */
  readonly hint?: string;
  /** Receives keys. Default true. */
  readonly focus?: boolean;
  readonly width: number;
  /** Placeholder shown while the input is empty. Default ''. */
  readonly placeholder?: string;
}

/**
 * Registers its key handler before the TextInput sibling's, with a stable callback so the
 * order holds: Ink calls input listeners in registration order.
 */
function KeyFilter(props: {
  readonly handler: React.RefObject<((input: string, key: Key) => boolean) | undefined>;
  readonly swallow: React.RefObject<boolean>;
  readonly focus: boolean;
}): null {
  const { handler, swallow } = props;
  const onInput = useCallback(
    (input: string, key: Key) => {
      const handled = handler.current?.(input, key) ?? false;
      swallow.current = handled || key.ctrl || (key.meta && input.length > 0 && !key.escape);
    },
    [handler, swallow],
  );
  useInput(onInput, { isActive: props.focus });
  return null;
}

/** The input line (ink-text-input) with a prompt and the key hint below it. */
export function InputLine(props: InputLineProps): React.JSX.Element {
  const handler = useRef(props.onKey);
  handler.current = props.onKey;
  const swallow = useRef(false);
  const { onChange } = props;
  const change = useCallback(
    (value: string) => {
      if (swallow.current) return;
      onChange(value);
    },
    [onChange],
  );
  const focus = props.focus ?? true;
  const prompt = props.prompt ?? '>';
  return (
    <Box flexDirection="column" width={props.width}>
      <Box>
        <KeyFilter handler={handler} swallow={swallow} focus={focus} />
        <Text bold color="cyan">
          {prompt}{' '}
        </Text>
        <Box flexGrow={1} flexShrink={1}>
          <TextInput
            value={props.value}
            onChange={change}
            onSubmit={props.onSubmit}
            focus={focus}
            placeholder={props.placeholder ?? ''}
          />
        </Box>
      </Box>
      {props.hint !== undefined && props.hint !== '' && (
        <Text dimColor wrap="truncate-end">
          {props.hint}
        </Text>
      )}
    </Box>
  );
}
