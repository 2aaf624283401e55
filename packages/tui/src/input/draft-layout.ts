import { graphemeWidth } from '../layout/wrap-rows.js';

/** One screen row of the draft: `text.slice(start, end)` (a line break belongs to no row). */
export interface DraftRow {
  readonly start: number;
  readonly end: number;
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const ASCII_LINE = /^[\x20-\x7e]*$/;

/** Rows of one line (`text.slice(from, to)`, no line break inside) at most `width` columns wide. */
function lineRows(text: string, from: number, to: number, width: number, out: DraftRow[]): void {
  const line = text.slice(from, to);
  if (ASCII_LINE.test(line)) {
    // One column per character: the common case needs no segmenting.
    for (let start = from; ; start += width) {
      out.push({ start, end: Math.min(to, start + width) });
      if (start + width >= to) return;
    }
  }
  let start = from;
  let used = 0;
  for (const { segment, index } of graphemes.segment(line)) {
    const cell = graphemeWidth(segment);
    if (used + cell > width && used > 0) {
      out.push({ start, end: from + index });
      start = from + index;
      used = 0;
    }
    used += cell;
  }
  out.push({ start, end: to });
}

let last: { text: string; width: number; rows: DraftRow[] } | undefined;

/**
 * The draft cut into screen rows of at most `width` columns: at every line break and wherever a
 * line is full, between grapheme clusters (wide characters count 2). The app (for the input's
 * height) and the input line (to draw it) ask for the same layout in one render: the last one
 * is kept.
 */
export function draftRows(text: string, width: number): readonly DraftRow[] {
  if (last && last.text === text && last.width === width) return last.rows;
  const safeWidth = Math.max(2, width);
  const rows: DraftRow[] = [];
  let from = 0;
  for (;;) {
    const at = text.indexOf('\n', from);
    const to = at === -1 ? text.length : at;
    lineRows(text, from, to, safeWidth, rows);
    if (at === -1) break;
    from = at + 1;
  }
  last = { text, width, rows };
  return rows;
}

/**
 * The row the cursor is drawn on: the last row starting at or before it (a cursor at the end of
 * a full row is drawn at the start of the next one, unless a line break ends that row).
 */
export function cursorRow(rows: readonly DraftRow[], cursor: number): number {
  let low = 0;
  let high = rows.length - 1;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (rows[mid]!.start <= cursor) low = mid;
    else high = mid - 1;
  }
  return low;
}

/**
 * The first row shown of `count` rows in a window of `size`: the previous one (`top`) if the
 * cursor row is still inside it, else moved just enough to show it.
 */
export function scrollTop(top: number, cursor: number, count: number, size: number): number {
  const maxTop = Math.max(0, count - size);
  const kept = Math.min(Math.max(0, top), maxTop);
  if (cursor < kept) return cursor;
  if (cursor >= kept + size) return cursor - size + 1;
  return kept;
}
