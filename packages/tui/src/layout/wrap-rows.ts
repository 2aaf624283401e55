import stringWidth from 'string-width';

/** How a run of text is drawn; mapped onto Ink's <Text> props. */
export interface Style {
  readonly color?: string;
  readonly dim?: boolean;
  readonly bold?: boolean;
  readonly inverse?: boolean;
  readonly italic?: boolean;
}

export interface Segment {
  readonly text: string;
  readonly style: Style;
}

/** One screen row: segments whose display widths add up to at most the pane width. */
export type Row = readonly Segment[];

const PLAIN: Style = {};
const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Widths of the other graphemes seen (emoji, CJK, accents): string-width is costly. */
const widthCache = new Map<string, number>();
const WIDTH_CACHE_SIZE = 4096;

/** Display width of one grapheme cluster; ASCII is the common, cheap case. */
export function graphemeWidth(grapheme: string): number {
  if (grapheme.length === 1) {
    const code = grapheme.charCodeAt(0);
    if (code >= 0x20 && code < 0x7f) return 1;
  }
  let width = widthCache.get(grapheme);
  if (width === undefined) {
    width = stringWidth(grapheme);
    if (widthCache.size >= WIDTH_CACHE_SIZE) widthCache.clear();
    widthCache.set(grapheme, width);
  }
  return width;
}

interface Cell {
  readonly text: string;
  readonly width: number;
  readonly style: Style;
}

class RowBuilder {
  readonly rows: Segment[][] = [];
  private row: Segment[] = [];
  private text = '';
  private style: Style = PLAIN;
  used = 0;
  /** The current row began by wrapping: leading spaces are dropped. */
  softStart = false;

  constructor(
    private readonly width: number,
    private readonly indent: number,
    private readonly marker: Segment | undefined,
    private readonly markerWidth: number,
  ) {}

  get room(): number {
    return this.width - this.used;
  }

  /** Width available on a fresh continuation row. */
  get fullRoom(): number {
    return this.width - this.indent;
  }

  push(cell: Cell): void {
    if (cell.style !== this.style) this.flushText();
    this.style = cell.style;
    this.text += cell.text;
    this.used += cell.width;
    this.softStart = false;
  }

  newRow(continuation: boolean, soft = true): void {
    this.softStart = soft;
    this.flushText();
    this.rows.push(this.row);
    this.row = [];
    this.used = 0;
    if (continuation && this.indent > 0) {
      const pad = this.indent - this.markerWidth;
      if (this.marker && pad >= 0) {
        if (pad > 0) this.row.push({ text: ' '.repeat(pad), style: PLAIN });
        this.row.push(this.marker);
      } else {
        this.row.push({ text: ' '.repeat(this.indent), style: PLAIN });
      }
      this.used = this.indent;
    }
  }

  private flushText(): void {
    if (this.text !== '') this.row.push({ text: this.text, style: this.style });
    this.text = '';
  }

  finish(): Segment[][] {
    this.flushText();
    this.rows.push(this.row);
    return this.rows;
  }
}

/**
 * Word-wraps styled text into rows of at most `width` display columns (wide characters and
 * emoji count 2). Continuation rows start with `indent` columns: spaces, ending in `marker` when
 * given; `\n` starts a new row; a word longer than a row is split between graphemes, never inside
 * one.
 */
export function wrapSegments(
  segments: readonly Segment[],
  width: number,
  indent = 0,
  marker?: Segment,
): Row[] {
  const safeWidth = Math.max(2, width);
  // A continuation row always keeps room for a wide character.
  const safeIndent = Math.min(indent, Math.max(0, Math.floor(safeWidth / 2) - 1));
  const out = new RowBuilder(safeWidth, safeIndent, marker, marker ? stringWidth(marker.text) : 0);
  let word: Cell[] = [];
  let wordWidth = 0;

  const flushWord = (): void => {
    if (word.length === 0) return;
    if (wordWidth > out.room && out.used > (out.rows.length > 0 ? safeIndent : 0)) {
      // Move the word to the next row when it fits there whole.
      if (wordWidth <= out.fullRoom) out.newRow(true);
    }
    for (const cell of word) {
      if (cell.width > out.room) out.newRow(true);
      out.push(cell);
    }
    word = [];
    wordWidth = 0;
  };

  for (const segment of segments) {
    for (const { segment: grapheme } of segmenter.segment(segment.text)) {
      if (grapheme === '\n' || grapheme === '\r\n') {
        flushWord();
        out.newRow(true, false);
        continue;
      }
      const cellWidth = graphemeWidth(grapheme);
      if (cellWidth === 0) continue;
      const cell = { text: grapheme, width: cellWidth, style: segment.style };
      if (grapheme === ' ') {
        flushWord();
        // A space that does not fit ends the row instead.
        if (out.softStart) continue;
        if (out.room >= 1) out.push(cell);
        else out.newRow(true);
        continue;
      }
      word.push(cell);
      wordWidth += cellWidth;
    }
  }
  flushWord();
  return out.finish();
}

/** Display width of a row. */
export function rowWidth(row: Row): number {
  let width = 0;
  for (const segment of row) width += stringWidth(segment.text);
  return width;
}

/** Plain text of a row (for tests and screen captures). */
export function rowText(row: Row): string {
  return row.map((segment) => segment.text).join('');
}
