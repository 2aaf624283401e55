/** @jsxRuntime automatic */
/** @jsxImportSource react */
import { useRef } from 'react';
import { Box, Text } from 'ink';
import TextInput from 'ink-text-input';
import stringWidth from 'string-width';
import type { Draft } from '../input/editor.js';
import { nextBoundary } from '../input/editor.js';
import type { DraftRow } from '../input/draft-layout.js';
import { cursorRow, draftRows, scrollTop } from '../input/draft-layout.js';
import { draftStatus } from '../input/input-state.js';
import { usePastes } from '../hooks/use-pastes.js';
import { useColour } from '../hooks/use-colour.js';

export interface InputLineProps {
  readonly draft: Draft;
  /** Every raw input chunk, in order (see patches/: ink-text-input hands them over). */
  readonly onKeys: (chunk: string) => void;
  /** Each bracketed paste, whole (see usePastes). Default: pastes arrive as typed keys. */
  readonly onPaste?: (text: string) => void;
  /** Shown before the text, e.g. our name. Default '>'. */
  readonly prompt?: string;
  /** The key hint under the input when nothing more pressing is shown there. Default ''. */
  readonly hint?: string;
  /** Receives keys and shows the cursor. Default true. */
  readonly focus?: boolean;
  readonly width: number;
  /** Most rows the text takes; a longer draft scrolls with the cursor. Default 5. */
  readonly maxRows?: number;
  /** Shown while the input is empty. Default ''. */
  readonly placeholder?: string;
  /** Enter was pressed on a long draft and waits for a second Enter. Default false. */
  readonly confirming?: boolean;
  /** The draft holds a paste that Esc takes back. Default false. */
  readonly pasted?: boolean;
}

/** Columns of the text: the prompt, a space after it and a column for the cursor at a row's end. */
function textWidth(width: number, prompt: string): number {
  return Math.max(2, width - stringWidth(prompt) - 2);
}

/** Rows the input line takes: the text (at most `maxRows`) and the hint line. */
export function inputLineHeight(draft: Draft, width: number, prompt = '>', maxRows = 5): number {
  const rows = draftRows(draft.text, textWidth(width, prompt)).length;
  return Math.min(Math.max(1, maxRows), rows) + 1;
}

interface Status {
  readonly text: string;
  readonly color?: string;
  readonly dim?: boolean;
}

/** The line under the text: what Enter will do with it, why it cannot be sent, or the key hint. */
function status(props: InputLineProps): Status {
  const { lines, problem, counter } = draftStatus(props.draft.text);
  const count = counter === undefined ? '' : ` · ${counter}`;
  if (problem !== undefined) return { text: `✗ ${problem}${count} · not sent`, color: 'red' };
  if (props.confirming)
    return {
      text: `Send ${lines} lines as one message? Enter sends · Esc goes back${count}`,
      color: 'yellow',
    };
  if (lines > 1)
    return {
      text: `${lines} lines · Enter sends as one message · ${
        props.pasted ? 'Esc cancels' : 'Alt+Enter new line'
      }${count}`,
      color: 'cyan',
    };
  if (counter !== undefined) return { text: `${counter} · ${props.hint ?? ''}`, color: 'yellow' };
  return { text: props.hint ?? '', dim: true };
}

/** One row of the text, with the cursor drawn inverse on it when it is there. */
function RowText(props: {
  readonly text: string;
  readonly row: DraftRow;
  readonly cursor: number | undefined;
}): React.JSX.Element {
  const { text, row, cursor } = props;
  if (cursor === undefined) return <Text>{text.slice(row.start, row.end)}</Text>;
  const after = cursor < row.end ? nextBoundary(text, cursor) : cursor;
  return (
    <Text>
      {text.slice(row.start, cursor)}
      <Text inverse>{cursor < row.end ? text.slice(cursor, after) : ' '}</Text>
      {text.slice(after, row.end)}
    </Text>
  );
}

/**
 * The input: the prompt and at most `maxRows` rows of the draft (scrolled to keep the cursor in
 * view, arrows in the prompt column when there is more above or below), then one status line.
 * Keys go to `onKeys` through ink-text-input (patched, see patches/), which also draws the text.
 */
export function InputLine(props: InputLineProps): React.JSX.Element {
  const { draft, width } = props;
  const prompt = props.prompt ?? '>';
  const focus = props.focus ?? true;
  const maxRows = Math.max(1, props.maxRows ?? 5);
  const rows = draftRows(draft.text, textWidth(width, prompt));
  const at = cursorRow(rows, draft.cursor);
  const top = useRef(0);
  top.current = scrollTop(top.current, at, rows.length, maxRows);
  const shown = rows.slice(top.current, top.current + maxRows);
  const promptWidth = stringWidth(prompt);
  const gutter = (index: number): string => {
    const first = top.current + index;
    if (index === 0 && first === 0) return prompt;
    if (index === 0) return '↑'.padStart(promptWidth);
    if (index === shown.length - 1 && first < rows.length - 1) return '↓'.padStart(promptWidth);
    return ' '.repeat(promptWidth);
  };
  const placeholder = props.placeholder ?? '';
  const line = status(props);
  const c = useColour();
  usePastes(focus ? props.onPaste : undefined);

  const render = (): React.JSX.Element => (
    <Box flexDirection="column">
      {shown.map((row, index) => (
        <Box key={top.current + index}>
          <Text bold color={c('cyan')}>
            {gutter(index)}{' '}
          </Text>
          {draft.text === '' && placeholder !== '' ? (
            <Text wrap="truncate-end">
              <Text inverse={focus}>{placeholder[0]}</Text>
              <Text color={c('gray')}>{placeholder.slice(1)}</Text>
            </Text>
          ) : (
            <RowText
              text={draft.text}
              row={row}
              cursor={focus && top.current + index === at ? draft.cursor : undefined}
            />
          )}
        </Box>
      ))}
    </Box>
  );

  return (
    <Box flexDirection="column" width={width} flexShrink={0}>
      <TextInput
        value={draft.text}
        focus={focus}
        onKeys={props.onKeys}
        render={render}
        onChange={ignore}
      />
      <Text color={c(line.color)} dimColor={line.dim} wrap="truncate-end">
        {line.text === '' ? ' ' : line.text}
      </Text>
    </Box>
  );
}

function ignore(): void {}
