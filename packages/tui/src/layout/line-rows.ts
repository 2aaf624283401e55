import { formatClock, nameKey } from '@ciao/protocol';
import stringWidth from 'string-width';
import type { ChatLine } from '../state/chat-reducer.js';
import type { Row, Segment, Style } from './wrap-rows.js';
import { wrapSegments } from './wrap-rows.js';

/** Colours a name can get: distinct on dark and light terminals, never the text colour. */
const NAME_COLOURS = [
  'red',
  'green',
  'yellow',
  'blue',
  'magenta',
  'cyan',
  'redBright',
  'greenBright',
  'yellowBright',
  'blueBright',
  'magentaBright',
  'cyanBright',
] as const;

/** A stable colour per name (FNV-1a of its comparison key), the same in every session. */
export function nameColour(name: string): string {
  const key = nameKey(name);
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return NAME_COLOURS[(hash >>> 0) % NAME_COLOURS.length]!;
}

const DIM: Style = { dim: true };
const STAMP: Style = { dim: true };
const NOTICE: Style = { color: 'yellow' };
const ERROR: Style = { color: 'red' };
const INFO: Style = { color: 'gray' };
const DM: Style = { color: 'magenta' };
const MENTION: Style = { color: 'yellowBright', bold: true };
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
  const name = (who: string | undefined): Style => ({
    color: nameColour(who ?? ''),
    bold: line.own === true,
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
        seg(line.from ?? '', name(line.from)),
        seg('> ', DIM),
        seg(line.text, body),
      );
      break;
    case 'action':
      out.push(seg('* ', body), seg(line.from ?? '', name(line.from)), seg(` ${line.text}`, body));
      break;
    case 'dm':
      out.push(
        seg('[', DM),
        seg(line.from ?? '', name(line.from)),
        seg(' → ', DM),
        seg(line.to ?? '', { color: nameColour(line.to ?? '') }),
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
    case 'nick':
      out.push(seg(`↔ ${line.from ?? ''} is now ${line.to ?? ''}`, DIM));
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

const cache = new WeakMap<ChatLine, { width: number; rows: Row[] }>();

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
  const marker = seg(CONTINUATION, { color: nameColour(line.from ?? '') });
  // The prefix is every segment before the text (the text is the last but a failure note).
  const textAt = line.failed !== undefined ? segments.length - 2 : segments.length - 1;
  let indent = 0;
  for (const segment of segments.slice(0, textAt)) indent += stringWidth(segment.text);
  if (line.kind === 'action') indent += 1; // the space in " text"
  // A long name on a narrow pane would leave no room: hang under the stamp instead.
  if (indent > width / 2) indent = STAMP_WIDTH + CONTINUATION.length;
  return { indent, marker };
}

/**
 * A line wrapped to `width` columns, continuation rows indented (see continuation()). Cached
 * per line object: a line is laid out once per width, not once per frame.
 */
export function lineRows(line: ChatLine, width: number): Row[] {
  const hit = cache.get(line);
  if (hit && hit.width === width) return hit.rows;
  const segments = lineSegments(line);
  const { indent, marker } = continuation(line, segments, width);
  const rows = wrapSegments(segments, width, indent, marker);
  cache.set(line, { width, rows });
  return rows;
}

export { PLAIN as PLAIN_STYLE };

function assertNever(value: never): never {
  throw new Error(`unexpected ${String(value)}`);
}
