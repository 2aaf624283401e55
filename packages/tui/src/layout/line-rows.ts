import { formatClock } from '@ciao/protocol';
import stringWidth from 'string-width';
import { MENTION_COLOUR } from '../state/nick-colours.js';
import type { ChatLine } from '../state/chat-reducer.js';
import type { Row, Segment, Style } from './wrap-rows.js';
import { wrapSegments } from './wrap-rows.js';

const DIM: Style = { dim: true };
const STAMP: Style = { dim: true };
const NOTICE: Style = { color: 'yellow' };
const ERROR: Style = { color: 'red' };
const INFO: Style = { color: 'gray' };
const DM: Style = { color: 'magenta' };
/** A mention: bold text in the mention colour, the name in reverse video (no name has either). */
const MENTION: Style = { color: MENTION_COLOUR, bold: true };
const DIVIDER: Style = { color: 'yellow' };
/** A search match; the current one is also bold and in the mention colour. */
const HIT: Style = { inverse: true };
const CURRENT_HIT: Style = { inverse: true, bold: true, color: MENTION_COLOUR };
const PLAIN: Style = {};
const STAMP_WIDTH = 6;

function seg(text: string, style: Style): Segment {
  return { text, style };
}

/** The styled, unwrapped content of a line. */
export function lineSegments(
  line: ChatLine,
  formatTime: (ts: number) => string = formatClock,
): Segment[] {
  const stamp = line.pending ? seg('  ⋯   ', STAMP) : seg(`${formatTime(line.ts)} `, STAMP);
  const name = (colour: string | undefined): Style => ({
    color: colour,
    bold: line.own === true,
    inverse: line.mention === true,
  });
  const body: Style = line.pending
    ? DIM
    : line.failed !== undefined
      ? ERROR
      : line.mention
        ? MENTION
        : line.kind === 'dm'
          ? DM
          : PLAIN;
  const out: Segment[] = line.failed !== undefined ? [stamp, seg('✗ ', ERROR)] : [stamp];
  switch (line.kind) {
    case 'message':
      out.push(
        seg('<', DIM),
        seg(line.from ?? '', name(line.colour)),
        seg('> ', DIM),
        seg(line.text, body),
      );
      break;
    case 'action':
      out.push(
        seg('* ', body),
        seg(line.from ?? '', name(line.colour)),
        seg(` ${line.text}`, body),
      );
      break;
    case 'dm':
      out.push(
        seg('[', DM),
        seg(line.from ?? '', name(line.colour)),
        seg(' → ', DM),
        seg(line.to ?? '', { color: line.toColour }),
        seg('] ', DM),
        seg(line.text, body),
      );
      break;
    case 'join':
      out.push(seg(`→ ${line.from ?? ''} joined`, DIM));
      break;
    case 'leave':
      out.push(seg(`← ${line.from ?? ''} left (${line.text.replace(/_/g, ' ')})`, DIM));
      break;
    case 'members':
      out.push(seg(describeMembers(line.joined ?? [], line.left ?? []), DIM));
      break;
    case 'nick':
      out.push(seg(`↔ ${line.from ?? ''} is now ${line.to ?? ''}`, DIM));
      break;
    case 'divider':
      out.push(seg(`── ${line.text} ──`, DIVIDER));
      break;
    case 'notice':
      out.push(seg(`-- ${line.text}`, NOTICE));
      break;
    case 'error':
      out.push(seg(`! ${line.text}`, ERROR));
      break;
    case 'info':
      out.push(seg(line.text, INFO));
      break;
    default:
      return assertNever(line.kind);
  }
  if (line.failed !== undefined) out.push(seg(` (not sent: ${line.failed})`, ERROR));
  return out;
}

/** "ann, bob and 12 others joined · cy left". */
export function describeMembers(joined: readonly string[], left: readonly string[]): string {
  const list = (names: readonly string[]): string => {
    if (names.length === 1) return names[0]!;
    if (names.length <= 3) return `${names.slice(0, -1).join(', ')} and ${names.at(-1)!}`;
    return `${names.slice(0, 2).join(', ')} and ${names.length - 2} others`;
  };
  const parts: string[] = [];
  if (joined.length > 0) parts.push(`→ ${list(joined)} joined`);
  if (left.length > 0) parts.push(`← ${list(left)} left`);
  return parts.join(' · ');
}

/** What is drawn with a line besides the line itself. */
export interface LineDecor {
  /** A day-change row above the line (`── Tuesday 1 December 2026 ──`). */
  readonly day?: string;
  /** A row above everything: the start of kept history is reached. */
  readonly top?: string;
  /** A row below the line: new messages start after it. */
  readonly readMarker?: boolean;
  /** Highlight this text (case-insensitively); `current`: this line holds the current match. */
  readonly search?: string;
  readonly current?: boolean;
}

const NO_DECOR: LineDecor = {};

/** Splits segments so that each match of `query` (case-insensitive) gets the hit style. */
export function highlight(segments: readonly Segment[], query: string, style: Style): Segment[] {
  if (query === '') return [...segments];
  const needle = query.toLowerCase();
  const out: Segment[] = [];
  for (const segment of segments) {
    const hay = segment.text.toLowerCase();
    let from = 0;
    for (let at = hay.indexOf(needle); at >= 0; at = hay.indexOf(needle, at + needle.length)) {
      if (at > from) out.push(seg(segment.text.slice(from, at), segment.style));
      out.push(seg(segment.text.slice(at, at + needle.length), { ...segment.style, ...style }));
      from = at + needle.length;
    }
    if (from < segment.text.length) out.push(seg(segment.text.slice(from), segment.style));
  }
  return out;
}

/** `── Tuesday 1 December 2026 ──` for the local day of `ts`. */
export function dayLabel(ts: number): string {
  const text = new Date(ts).toLocaleDateString('en-GB', {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
  });
  return `── ${text.replace(',', '')} ──`;
}

/** A number naming the local day of `ts`: equal for times on the same day. */
export function dayOf(ts: number): number {
  const d = new Date(ts);
  return d.getFullYear() * 10_000 + d.getMonth() * 100 + d.getDate();
}

const DAY_ROW: Style = { color: 'cyan' };
const TOP_ROW: Style = { dim: true };
const MARKER_ROW: Style = { color: 'red' };
export const READ_MARKER = '──── new since you scrolled back ────';

const cache = new WeakMap<ChatLine, { width: number; decor: LineDecor; rows: Row[] }>();

/** Marks every continuation row of what a peer said as theirs. */
const CONTINUATION = '│ ';

/**
 * Where the continuation rows of `line` start, and their marker. What a person said (a message,
 * /me, a private message) hangs under its text, each row marked `│` in the sender's colour, so
 * no line inside a text can pass for a `<name>` line; notices and the client's own lines are
 * indented under the stamp.
 */
function continuation(
  line: ChatLine,
  segments: readonly Segment[],
  width: number,
): { indent: number; marker?: Segment } {
  if (line.kind !== 'message' && line.kind !== 'action' && line.kind !== 'dm')
    return { indent: STAMP_WIDTH };
  const marker = seg(CONTINUATION, { color: line.colour });
  // The prefix is every segment before the text (the text is the last but a failure note).
  const textAt = line.failed !== undefined ? segments.length - 2 : segments.length - 1;
  let indent = 0;
  for (const segment of segments.slice(0, textAt)) indent += stringWidth(segment.text);
  if (line.kind === 'action') indent += 1; // the space in " text"
  // A long name on a narrow pane would leave no room: hang under the stamp instead.
  if (indent > width / 2) indent = STAMP_WIDTH + CONTINUATION.length;
  return { indent, marker };
}

function sameDecor(a: LineDecor, b: LineDecor): boolean {
  return (
    a.day === b.day &&
    a.top === b.top &&
    a.readMarker === b.readMarker &&
    a.search === b.search &&
    a.current === b.current
  );
}

/**
 * A line wrapped to `width` columns, continuation rows indented (see continuation()), with its
 * decorations (day row, start of history, read marker, search highlights). Cached per line
 * object: a line is laid out once per width and decoration, not once per frame.
 */
export function lineRows(line: ChatLine, width: number, decor: LineDecor = NO_DECOR): Row[] {
  const hit = cache.get(line);
  if (hit && hit.width === width && sameDecor(hit.decor, decor)) return hit.rows;
  const plain = lineSegments(line);
  // Measured before highlighting splits the segments.
  const { indent, marker } = continuation(line, plain, width);
  const segments =
    decor.search === undefined
      ? plain
      : highlight(plain, decor.search, decor.current ? CURRENT_HIT : HIT);
  const rows = wrapSegments(segments, width, indent, marker);
  const above: Row[] = [];
  if (decor.top !== undefined) above.push(wrapSegments([seg(decor.top, TOP_ROW)], width, 0)[0]!);
  if (decor.day !== undefined) above.push(wrapSegments([seg(decor.day, DAY_ROW)], width, 0)[0]!);
  const below: Row[] = decor.readMarker
    ? [wrapSegments([seg(READ_MARKER, MARKER_ROW)], width, 0)[0]!]
    : [];
  const all = above.length + below.length === 0 ? rows : [...above, ...rows, ...below];
  cache.set(line, { width, decor, rows: all });
  return all;
}

export { PLAIN as PLAIN_STYLE };

function assertNever(value: never): never {
  throw new Error(`unexpected ${String(value)}`);
}
