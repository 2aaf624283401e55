/** @jsxRuntime automatic */
/** @jsxImportSource react */
import { useCallback, useRef, useState } from 'react';
import type { Key } from 'ink';
import { Box, Text, useInput } from 'ink';
import type { EditorState } from '../state/line-editor.js';
import { editKeys } from '../state/line-editor.js';

export interface InputLineProps {
  /** The line's text; a change from outside (history, completion) puts the cursor at its end. */
  readonly value: string;
  readonly onChange: (value: string) => void;
  readonly onSubmit: (value: string) => void;
  /**
   * Sees every key first, with the line as it is at that moment; returns true when it handled
   * the key (then the line ignores it).
   */
  readonly onKey?: (input: string, key: Key, value: string) => boolean;
  /** Shown before the input, e.g. our name. Default '>'. */
  readonly prompt?: string;
  /** The key hint under the input; omitted when empty. Default ''. */
  readonly hint?: string;
  /** Receives keys. Default true. */
  readonly focus?: boolean;
  readonly width: number;
  /** Shown while the input is empty. Default ''. */
  readonly placeholder?: string;
}

/**
 * The input line. Editing runs on a ref inside one stable key handler, so keys arriving in one
 * burst (a paste, then Enter; fast typing while the room is busy) each see the line left by the
 * one before, never a stale render's copy.
 */
export function InputLine(props: InputLineProps): React.JSX.Element {
  const editor = useRef<EditorState>({ value: props.value, cursor: props.value.length });
  /** The last value we reported; any other `value` prop came from outside. */
  const reported = useRef(props.value);
  if (props.value !== reported.current) {
    editor.current = { value: props.value, cursor: props.value.length };
    reported.current = props.value;
  }
  const [, redraw] = useState(0);
  const latest = useRef(props);
  latest.current = props;

  const onInput = useCallback((input: string, key: Key) => {
    const { onKey, onChange, onSubmit } = latest.current;
    if (onKey?.(input, key, editor.current.value)) return;
    const before = editor.current;
    const outcome = editKeys(before, input, key);
    if (outcome.state === before && outcome.submitted.length === 0) return;
    editor.current = outcome.state;
    const report = (): void => {
      if (outcome.state.value === reported.current) return;
      reported.current = outcome.state.value;
      onChange(outcome.state.value);
    };
    // A line ending in Enter is reported before it is submitted, so the owner's clearing of it
    // comes last; text typed after the Enter is reported after.
    if (outcome.endsWithSubmit) report();
    for (const line of outcome.submitted) onSubmit(line);
    if (!outcome.endsWithSubmit) report();
    redraw((n) => n + 1);
  }, []);
  useInput(onInput, { isActive: props.focus ?? true });

  const { value, cursor } = editor.current;
  const prompt = props.prompt ?? '>';
  const placeholder = props.placeholder ?? '';
  const showCursor = props.focus ?? true;
  let line: React.JSX.Element;
  if (value === '') {
    line = (
      <Text>
        {showCursor && <Text inverse>{placeholder.slice(0, 1) || ' '}</Text>}
        <Text color="gray">{showCursor ? placeholder.slice(1) : placeholder}</Text>
      </Text>
    );
  } else {
    const after = value.slice(cursor);
    const at = after === '' ? ' ' : after.slice(0, nextLength(after));
    line = (
      <Text>
        {value.slice(0, cursor)}
        {showCursor ? <Text inverse>{at}</Text> : at.trimEnd()}
        {after.slice(at === ' ' && after === '' ? 0 : at.length)}
      </Text>
    );
  }
  return (
    <Box flexDirection="column" width={props.width}>
      <Box>
        <Text bold color="cyan">
          {prompt}{' '}
        </Text>
        {line}
      </Box>
      {props.hint !== undefined && props.hint !== '' && (
        <Text dimColor wrap="truncate-end">
          {props.hint}
        </Text>
      )}
    </Box>
  );
}

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** UTF-16 length of the first grapheme. */
function nextLength(text: string): number {
  for (const { segment } of segmenter.segment(text)) return segment.length;
  return 0;
}
