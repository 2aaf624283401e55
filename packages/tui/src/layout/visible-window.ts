import type { ChatLine, ScrollAnchor } from '../state/chat-reducer.js';
import { compareOrder, lowerBound } from '../state/chat-reducer.js';
import { lineRows } from './line-rows.js';
import type { Row } from './wrap-rows.js';

/** The pane's content: the stored lines, then our unconfirmed messages. */
export interface PaneContent {
  readonly lines: readonly ChatLine[];
  readonly pending: readonly ChatLine[];
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

function rowCount(content: PaneContent, index: number, width: number): number {
  return lineRows(item(content, index), width).length;
}

/** Where the view's bottom row is. */
function bottomOf(content: PaneContent, anchor: ScrollAnchor | null, width: number): Position {
  if (anchor === null) return { index: count(content) - 1, skip: 0 };
  const at = lowerBound(content.lines, anchor);
  const line = content.lines[at];
  if (line && compareOrder(line, anchor) === 0) {
    const skip = Math.min(anchor.skip ?? 0, rowCount(content, at, width) - 1);
    return { index: at, skip: Math.max(0, skip) };
  }
  // The anchor line is gone (cleared or trimmed): the one before it takes its place.
  return { index: Math.max(0, at - 1), skip: 0 };
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
  const bottom = bottomOf(content, anchor, width);
  for (let index = bottom.index; index >= 0; index--) {
    const line = item(content, index);
    const rows = lineRows(line, width);
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
  let pos = moveUp(content, bottomOf(content, anchor, width), amount, width);
  const firstRow: Position = { index: 0, skip: rowCount(content, 0, width) - 1 };
  const topmost = moveDown(content, firstRow, height - 1, width);
  if (isBefore(pos, topmost)) pos = topmost;
  return anchorOf(content, pos);
}

/** Scrolls forward by `amount` rows; reaching the newest line follows it again. */
export function scrollDown(
  content: PaneContent,
  anchor: ScrollAnchor | null,
  width: number,
  amount: number,
): ScrollAnchor | null {
  if (anchor === null || count(content) === 0) return null;
  return anchorOf(content, moveDown(content, bottomOf(content, anchor, width), amount, width));
}
