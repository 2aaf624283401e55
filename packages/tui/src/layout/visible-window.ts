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

/** Index of the line at the bottom of the view. */
function bottomIndex(content: PaneContent, anchor: ScrollAnchor | null): number {
  if (anchor === null) return count(content) - 1;
  const at = lowerBound(content.lines, anchor);
  const line = content.lines[at];
  if (line && compareOrder(line, anchor) === 0) return at;
  // The anchor line is gone (cleared or trimmed): the one before it takes its place.
  return Math.max(0, at - 1);
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
  for (let index = bottomIndex(content, anchor); index >= 0; index--) {
    const line = item(content, index);
    const rows = lineRows(line, width);
    let r = rows.length - 1;
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

function anchorOf(content: PaneContent, index: number): ScrollAnchor | null {
  if (index >= content.lines.length - 1 && content.pending.length === 0) return null;
  if (index >= content.lines.length) return null;
  const line = content.lines[index]!;
  return { seq: line.seq, sub: line.sub };
}

/** The lowest bottom line that still fills the pane (scrolling further up shows nothing new). */
function topmostBottom(content: PaneContent, width: number, height: number): number {
  let total = 0;
  const n = count(content);
  for (let i = 0; i < n; i++) {
    total += lineRows(item(content, i), width).length;
    if (total >= height) return i;
  }
  return n - 1;
}

/** Scrolls back by about `amount` rows (whole lines). */
export function scrollUp(
  content: PaneContent,
  anchor: ScrollAnchor | null,
  width: number,
  height: number,
  amount: number,
): ScrollAnchor | null {
  let index = bottomIndex(content, anchor);
  let moved = 0;
  while (index > 0 && moved < amount) {
    moved += lineRows(item(content, index), width).length;
    index--;
  }
  index = Math.max(index, topmostBottom(content, width, height));
  return anchorOf(content, Math.min(index, content.lines.length - 1));
}

/** Scrolls forward by about `amount` rows; reaching the newest line follows it again. */
export function scrollDown(
  content: PaneContent,
  anchor: ScrollAnchor | null,
  width: number,
  amount: number,
): ScrollAnchor | null {
  if (anchor === null) return null;
  let index = bottomIndex(content, anchor);
  let moved = 0;
  const last = count(content) - 1;
  while (index < last && moved < amount) {
    index++;
    moved += lineRows(item(content, index), width).length;
  }
  return anchorOf(content, index);
}
