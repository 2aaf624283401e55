/** @jsxRuntime automatic */
/** @jsxImportSource react */
import { useCallback, useRef } from 'react';
import type { Key } from 'ink';
import { Box, Text, useInput } from 'ink';
import TextInput from 'ink-text-input';

export interface InputLineProps {
  /** The line's text; a change from outside (history, completion) puts the cursor at its end. */
  readonly value: string;
  readonly onChange: (value: string) => void;
  /** Called with each submitted line: Enter, or each complete line of a paste. */
  readonly onSubmit: (value: string) => void;
  /**
   * Sees every key with the line as it stands (keys typed earlier in the same burst included).
   * The text input ignores Up/Down, Tab, PageUp/PageDown, Esc and Ctrl/Meta combinations other
   * than its readline editing keys, Ctrl+A/E/U/K/W (ink-text-input, patched; it also takes Home
   * and End): those are the owner's to bind, and they leave the line as it is.
   * For a key the text input takes, `value` may or may not include it yet. Default none.
   */
  readonly onKey?: (input: string, key: Key, value: string) => void;
  /** Shown before the input, e.g. our name. Default '>'. */
  readonly prompt?: string;
  /** The key hint under the input; omitted when empty. Default ''. */
  readonly hint?: string;
  /** Receives keys and shows the cursor. Default true. */
  readonly focus?: boolean;
  readonly width: number;
  /** Shown while the input is empty. Default ''. */
  readonly placeholder?: string;
}

/** CR LF, CR or LF: a paste holds the terminal's line ends raw (only a lone CR is Enter). */
const LINE_BREAK = /\r\n|\r|\n/;
/** Control characters left in a run of keys once line breaks, tabs and backspaces are applied. */
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f]/g;

/**
 * Backspaces (DEL or BS) inside a run of keys take the character before them: Ink hands over
 * keys that arrive together as one string (a held Backspace while the event loop is busy).
 * A tab becomes a space; other control characters go.
 */
function clean(text: string): string {
  let out = '';
  for (const char of text.replace(/\t/g, ' ')) {
    if (char === '\x7f' || char === '\b') out = out.slice(0, out.length - lastCharLength(out));
    else out += char;
  }
  return out.replace(CONTROL, '');
}

/** UTF-16 length of the last code point of `text`. */
function lastCharLength(text: string): number {
  const code = text.charCodeAt(text.length - 2);
  return text.length >= 2 && code >= 0xd800 && code <= 0xdbff ? 2 : Math.min(1, text.length);
}

/** Where the text after the last line break starts; 0 without one. */
function lastLineBreakEnd(text: string): number {
  const at = Math.max(text.lastIndexOf('\r'), text.lastIndexOf('\n'));
  return at + 1;
}

/**
 * The input line: ink-text-input (patched so a burst of keys builds on the latest text, see
 * patches/) with a prompt and a hint. A paste holding line ends submits each complete line and
 * keeps the rest as the new value, as Enter would have after each.
 */
export function InputLine(props: InputLineProps): React.JSX.Element {
  // The latest value, including changes reported during a burst the parent has not rendered
  // yet, so onKey (history, completion) sees what was just typed.
  const latest = useRef(props.value);
  latest.current = props.value;
  // The pasted lines already submitted, while the text input still holds them: until the next
  // render it builds further keys on its own copy, which would submit them again.
  const submitted = useRef('');
  submitted.current = '';
  const handlers = useRef(props);
  handlers.current = props;

  // The text input's value, or its value on Enter (`enter`): complete lines are submitted, the
  // rest is reported as the new value (on Enter, submitted too).
  const take = useCallback((next: string, enter: boolean) => {
    const { onChange: change, onSubmit } = handlers.current;
    const fresh = next.startsWith(submitted.current) ? next.slice(submitted.current.length) : next;
    const breakAt = lastLineBreakEnd(next);
    if (breakAt > submitted.current.length) submitted.current = next.slice(0, breakAt);
    const lines = fresh.split(LINE_BREAK).map(clean);
    const rest = enter ? undefined : lines.pop();
    // Each line is reported before it is submitted, so the owner's clearing of an accepted line
    // comes after it and a refused one stays in the input (unless more lines follow).
    for (const line of lines) {
      latest.current = line;
      change(line);
      onSubmit(line);
    }
    if (rest !== undefined && (lines.length === 0 || rest !== '')) {
      latest.current = rest;
      change(rest);
    }
  }, []);
  const onChange = useCallback((next: string) => take(next, false), [take]);
  const onSubmit = useCallback((value: string) => take(value, true), [take]);
  // A stable handler: Ink re-subscribes whenever the handler changes.
  const onInput = useCallback((input: string, key: Key) => {
    handlers.current.onKey?.(input, key, latest.current);
  }, []);
  const focus = props.focus ?? true;
  useInput(onInput, { isActive: focus && props.onKey !== undefined });

  return (
    <Box flexDirection="column" width={props.width}>
      <Box>
        <Text bold color="cyan">
          {props.prompt ?? '>'}{' '}
        </Text>
        <TextInput
          value={props.value}
          onChange={onChange}
          onSubmit={onSubmit}
          placeholder={props.placeholder ?? ''}
          focus={focus}
          showCursor={focus}
        />
      </Box>
      {props.hint !== undefined && props.hint !== '' && (
        <Text dimColor wrap="truncate-end">
          {props.hint}
        </Text>
      )}
    </Box>
  );
}
