import type { ChatLine, ScrollAnchor } from '../state/chat-reducer.js';
import { compareOrder, lowerBound } from '../state/chat-reducer.js';
import type { LineDecor } from './line-rows.js';
import { dayLabel, dayOf, lineRows } from './line-rows.js';
import type { Row } from './wrap-rows.js';

/** What is drawn between and around the lines. */
export interface PaneMarks {
  /** `dayOf(now)`: lines of another day get a day row above the first of each day. */
  readonly today?: number;
  /** A row above the first line: the start of kept history is reached. */
  readonly top?: string;
  /** The read marker goes under this line. */
  readonly readMarker?: { readonly seq: number; readonly sub: number };
  /** Highlights matches of `query`; `at` is the line of the current match. */
  readonly search?: {
    readonly query: string;
    readonly at?: { readonly seq: number; readonly sub: number };
  };
}

/** The pane's content: the stored lines, then our unconfirmed messages. */
export interface PaneContent {
  readonly lines: readonly ChatLine[];
  readonly pending: readonly ChatLine[];
  /** Default none. */
  readonly marks?: PaneMarks;
}

export interface VisibleRow {
  readonly key: string;
  readonly row: Row;
}

export interface Window {
  /** At most `height` rows, oldest first. */
  readonly rows: readonly VisibleRow[];
  /** The first line of the content is (entirely) in view. */
  readonly atTop: boolean;
}

function count(content: PaneContent): number {
  return content.lines.length + content.pending.length;
}

function item(content: PaneContent, index: number): ChatLine {
  const { lines, pending } = content;
  return index < lines.length ? lines[index]! : pending[index - lines.length]!;
}

/** The bottom row of the view: row `rows - 1 - skip` of line `index`. */
interface Position {
  readonly index: number;
  readonly skip: number;
}

/** The decorations of the line at `index`. */
function decorAt(content: PaneContent, index: number): LineDecor | undefined {
  const marks = content.marks;
  if (marks === undefined) return undefined;
  const line = item(content, index);
  let day: string | undefined;
  if (marks.today !== undefined) {
    const prev = index > 0 ? item(content, index - 1) : undefined;
    const today = dayOf(line.ts);
    if (prev ? dayOf(prev.ts) !== today : today !== marks.today) day = dayLabel(line.ts);
  }
  const top = index === 0 ? marks.top : undefined;
  const readMarker =
    marks.readMarker !== undefined &&
    index < count(content) - 1 &&
    compareOrder(line, marks.readMarker) === 0;
  const search = marks.search?.query;
  const current = marks.search?.at !== undefined && compareOrder(line, marks.search.at) === 0;
  if (day === undefined && top === undefined && !readMarker && search === undefined)
    return undefined;
  return { day, top, readMarker, search, current };
}

function rowsAt(content: PaneContent, index: number, width: number): Row[] {
  return lineRows(item(content, index), width, decorAt(content, index));
}

function rowCount(content: PaneContent, index: number, width: number): number {
  return rowsAt(content, index, width).length;
}

/** Where the view's bottom row is. */
function bottomOf(
  content: PaneContent,
  anchor: ScrollAnchor | null,
  width: number,
  height?: number,
): Position {
  if (anchor === null) return { index: count(content) - 1, skip: 0 };
  const at = lowerBound(content.lines, anchor);
  const line = content.lines[at];
  let pos: Position;
  if (line && compareOrder(line, anchor) === 0) {
    const skip = Math.min(anchor.skip ?? 0, rowCount(content, at, width) - 1);
    pos = { index: at, skip: Math.max(0, skip) };
  } else {
    // The anchor line is gone (cleared or trimmed): the one before it takes its place.
    pos = { index: Math.max(0, at - 1), skip: 0 };
  }
  // A view that would not reach the top of the pane (its lines were trimmed away by a flood,
  // or a search hit is among the first) shows the first full screen instead: the pane is
  // never half empty, and PgUp never moves down.
  if (height !== undefined) {
    const top = topmost(content, width, height);
    if (isBefore(pos, top)) return top;
  }
  return pos;
}

/** The bottom row of the first full screen. */
function topmost(content: PaneContent, width: number, height: number): Position {
  const firstRow: Position = { index: 0, skip: rowCount(content, 0, width) - 1 };
  return moveDown(content, firstRow, height - 1, width);
}

/**
 * The rows visible in a pane of `width` x `height` scrolled to `anchor`. Only the lines that
 * reach the screen are laid out: cost grows with the pane, not with the scrollback.
 */
export function visibleWindow(
  content: PaneContent,
  anchor: ScrollAnchor | null,
  width: number,
  height: number,
): Window {
  const out: VisibleRow[] = [];
  let atTop = false;
  if (count(content) === 0) return { rows: out, atTop: true };
  const bottom = bottomOf(content, anchor, width, height);
  for (let index = bottom.index; index >= 0; index--) {
    const line = item(content, index);
    const rows = rowsAt(content, index, width);
    let r = rows.length - 1 - (index === bottom.index ? bottom.skip : 0);
    for (; r >= 0 && out.length < height; r--) {
      out.push({ key: `${line.key}:${r}`, row: rows[r]! });
    }
    if (r >= 0) break;
    if (index === 0) atTop = true;
    if (out.length >= height) break;
  }
  out.reverse();
  return { rows: out, atTop };
}

/** Moves the bottom row up by `n` rows, stopping at the first row of all. */
function moveUp(content: PaneContent, from: Position, n: number, width: number): Position {
  let { index, skip } = from;
  while (n > 0) {
    const above = rowCount(content, index, width) - 1 - skip;
    if (above > 0) {
      const step = Math.min(above, n);
      skip += step;
      n -= step;
      continue;
    }
    if (index === 0) break;
    index--;
    skip = 0;
    n--;
  }
  return { index, skip };
}

/** Moves the bottom row down by `n` rows, stopping at the last row of all. */
function moveDown(content: PaneContent, from: Position, n: number, width: number): Position {
  let { index, skip } = from;
  const last = count(content) - 1;
  while (n > 0) {
    if (skip > 0) {
      const step = Math.min(skip, n);
      skip -= step;
      n -= step;
      continue;
    }
    if (index >= last) break;
    index++;
    skip = rowCount(content, index, width) - 1;
    n--;
  }
  return { index, skip };
}

function isBefore(a: Position, b: Position): boolean {
  return a.index < b.index || (a.index === b.index && a.skip > b.skip);
}

function anchorOf(content: PaneContent, pos: Position): ScrollAnchor | null {
  // Following the newest line, or inside our pending lines (never stored): follow.
  if (pos.index >= content.lines.length) return null;
  if (pos.index === count(content) - 1 && pos.skip === 0) return null;
  const line = content.lines[pos.index]!;
  return pos.skip === 0
    ? { seq: line.seq, sub: line.sub }
    : { seq: line.seq, sub: line.sub, skip: pos.skip };
}

/** Scrolls back by `amount` rows; the first screen stays full. */
export function scrollUp(
  content: PaneContent,
  anchor: ScrollAnchor | null,
  width: number,
  height: number,
  amount: number,
): ScrollAnchor | null {
  if (count(content) === 0) return null;
  let pos = moveUp(content, bottomOf(content, anchor, width, height), amount, width);
  const top = topmost(content, width, height);
  if (isBefore(pos, top)) pos = top;
  return anchorOf(content, pos);
}

/** The first screen: the oldest lines kept. */
export function scrollToTop(
  content: PaneContent,
  width: number,
  height: number,
): ScrollAnchor | null {
  if (count(content) === 0) return null;
  return anchorOf(content, topmost(content, width, height));
}

/** The view with `line` at its bottom, kept full at the top. */
export function scrollToLine(
  content: PaneContent,
  line: { readonly seq: number; readonly sub: number },
  width: number,
  height: number,
): ScrollAnchor | null {
  return scrollUp(content, { seq: line.seq, sub: line.sub }, width, height, 0);
}

/** Scrolls forward by `amount` rows; reaching the newest line follows it again. */
export function scrollDown(
  content: PaneContent,
  anchor: ScrollAnchor | null,
  width: number,
  amount: number,
  height?: number,
): ScrollAnchor | null {
  if (anchor === null || count(content) === 0) return null;
  return anchorOf(
    content,
    moveDown(content, bottomOf(content, anchor, width, height), amount, width),
  );
}
