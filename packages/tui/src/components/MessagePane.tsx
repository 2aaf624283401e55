/** @jsxRuntime automatic */
/** @jsxImportSource react */
import { memo } from 'react';
import { Box, Text } from 'ink';
import type { ChatLine, ScrollAnchor } from '../state/chat-reducer.js';
import { visibleWindow } from '../layout/visible-window.js';
import type { Row } from '../layout/wrap-rows.js';

export interface MessagePaneProps {
  /** Stored lines, ordered by (seq, sub). */
  readonly lines: readonly ChatLine[];
  /** Our unconfirmed messages, shown after the lines. Default none. */
  readonly pending?: readonly ChatLine[];
  /** Where the view is scrolled to; null follows the newest line. Default null. */
  readonly scroll?: ScrollAnchor | null;
  /** Lines that arrived below the view while scrolled back. Default 0. */
  readonly newCount?: number;
  /** Whether the server has older history to fetch. Default false. */
  readonly historyMore?: boolean;
  readonly loadingHistory?: boolean;
  readonly width: number;
  readonly height: number;
}

const NO_LINES: readonly ChatLine[] = [];

/** One pre-wrapped row; rows are cached objects, so unchanged rows skip rendering. */
const PaneRow = memo(function PaneRow({ row }: { readonly row: Row }): React.JSX.Element {
  return (
    <Text wrap="truncate-end">
      {row.length === 0
        ? ' '
        : row.map((segment, i) => (
            <Text
              key={i}
              color={segment.style.color}
              dimColor={segment.style.dim}
              bold={segment.style.bold}
              italic={segment.style.italic}
              inverse={segment.style.inverse}
            >
              {segment.text}
            </Text>
          ))}
    </Text>
  );
});

/**
 * The message pane, newest at the bottom. Lays out only the rows that fit on screen; when
 * scrolled back, the last row says how many new lines wait below.
 */
export function MessagePane(props: MessagePaneProps): React.JSX.Element {
  const scroll = props.scroll ?? null;
  const marker = scroll !== null;
  const bodyHeight = Math.max(0, props.height - (marker ? 1 : 0));
  const window = visibleWindow(
    { lines: props.lines, pending: props.pending ?? NO_LINES },
    scroll,
    props.width,
    bodyHeight,
  );
  const topNote =
    window.atTop && window.rows.length < bodyHeight && (props.loadingHistory || props.historyMore)
      ? props.loadingHistory
        ? '… loading older messages'
        : '↑ PgUp for older messages'
      : undefined;
  const newCount = props.newCount ?? 0;
  return (
    <Box
      flexDirection="column"
      width={props.width}
      height={props.height}
      justifyContent="flex-end"
      overflow="hidden"
    >
      {topNote !== undefined && (
        <Text dimColor wrap="truncate-end">
          {topNote}
        </Text>
      )}
      {window.rows.map(({ key, row }) => (
        <PaneRow key={key} row={row} />
      ))}
      {marker && (
        <Text color="yellow" wrap="truncate-end">
          {newCount > 0
            ? `── ${newCount} new ${newCount === 1 ? 'message' : 'messages'} below · End jumps to the newest ──`
            : '── scrolled back · End jumps to the newest ──'}
        </Text>
      )}
    </Box>
  );
}
