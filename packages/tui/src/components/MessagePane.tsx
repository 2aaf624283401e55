/** @jsxRuntime automatic */
/** @jsxImportSource react */
import { memo } from 'react';
import { Box, Text } from 'ink';
import type { ChatLine, ScrollAnchor, SearchState } from '../state/chat-reducer.js';
import type { PaneMarks } from '../layout/visible-window.js';
import { visibleWindow } from '../layout/visible-window.js';
import type { Row } from '../layout/wrap-rows.js';
import { useColour } from '../hooks/use-colour.js';

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
  /** `dayOf(now)`: lines from other days get day-change rows. Default: no day rows. */
  readonly today?: number;
  /** The read marker goes under this line. Default none. */
  readonly readMarker?: { readonly seq: number; readonly sub: number };
  /** A search in progress: matches highlighted, where it stands on the last row. Default none. */
  readonly search?: SearchState;
  readonly width: number;
  readonly height: number;
}

const NO_LINES: readonly ChatLine[] = [];
/** Shown above the first line once nothing older can be fetched. */
export const BEGINNING = '── beginning of kept history ──';

/** What the pane draws around its lines; scrolling must count the same rows. */
export function paneMarks(
  props: Pick<
    MessagePaneProps,
    'historyMore' | 'loadingHistory' | 'today' | 'readMarker' | 'search'
  >,
): PaneMarks {
  const exhausted = !props.historyMore && !props.loadingHistory;
  return {
    today: props.today,
    top: exhausted ? BEGINNING : undefined,
    readMarker: props.readMarker,
    search: props.search && { query: props.search.query, at: props.search.at },
  };
}

/** One pre-wrapped row; rows are cached objects, so unchanged rows skip rendering. */
const PaneRow = memo(function PaneRow({ row }: { readonly row: Row }): React.JSX.Element {
  const c = useColour();
  return (
    <Text wrap="truncate-end">
      {row.length === 0
        ? ' '
        : row.map((segment, i) => (
            <Text
              key={i}
              color={c(segment.style.color)}
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
  const c = useColour();
  const scroll = props.scroll ?? null;
  const search = props.search;
  const marker = scroll !== null || search !== undefined;
  const bodyHeight = Math.max(0, props.height - (marker ? 1 : 0));
  const marks = paneMarks(props);
  const window = visibleWindow(
    { lines: props.lines, pending: props.pending ?? NO_LINES, marks },
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
        <Text color={c('yellow')} wrap="truncate-end">
          {search !== undefined
            ? describeSearch(search)
            : newCount > 0
              ? `── ${newCount} new ${newCount === 1 ? 'message' : 'messages'} below · End jumps to the newest ──`
              : '── scrolled back · End jumps to the newest ──'}
        </Text>
      )}
    </Box>
  );
}

/** The last row during a search: where it stands and the keys that move it. */
export function describeSearch(search: SearchState): string {
  const where =
    search.end !== undefined
      ? `no ${search.end} match`
      : search.total === 0
        ? 'no match'
        : `match ${search.index} of ${search.total}`;
  return `── "${search.query}": ${where} · ^R older · ^S newer · Esc ends ──`;
}
