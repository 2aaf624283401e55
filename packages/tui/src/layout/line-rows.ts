import { formatClock, nameKey } from '@ciao/protocol';
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

/**
 * A line wrapped to `width` columns, continuation rows indented under the text. Cached per
 * line object: a line is laid out once per width, not once per frame.
 */
export function lineRows(line: ChatLine, width: number): Row[] {
  const hit = cache.get(line);
  if (hit && hit.width === width) return hit.rows;
  const rows = wrapSegments(lineSegments(line), width, STAMP_WIDTH);
  cache.set(line, { width, rows });
  return rows;
}

export { PLAIN as PLAIN_STYLE };

function assertNever(value: never): never {
  throw new Error(`unexpected ${String(value)}`);
}
