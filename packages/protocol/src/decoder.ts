import type { ErrorCode } from './frames.js';
import { LIMITS } from './limits.js';

export type DecodedLine =
  | { readonly kind: 'line'; readonly text: string }
  | { readonly kind: 'too_large'; readonly bytes: number };

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/**
 * Splits a byte stream into lines. Chunks may cut anywhere, even inside a UTF-8 sequence: bytes
 * are decoded only once a whole line is in, and `\n` never occurs inside a multi-byte sequence.
 *
 * A line may hold at most `maxLineBytes` bytes including its `\n`. Longer lines are never
 * buffered: as soon as a line is known to be too long it is reported once (`too_large`), its
 * bytes are dropped, and the rest of it up to the next newline is skipped.
 */
/** Every decoder's first `#pending` (only ever replaced, never written): idle ones own none. */
const EMPTY = Buffer.alloc(0);

export class LineDecoder {
  readonly #maxLineBytes: number;
  /** The partial line so far, in `#pending[0, #pendingLength)`; grows by doubling up to the limit. */
  #pending: Buffer = EMPTY;
  #pendingLength = 0;
  /** Skipping the rest of an over-long line. */
  #discarding = false;

  constructor(maxLineBytes: number) {
    if (!(maxLineBytes >= 2)) throw new RangeError('maxLineBytes must be at least 2');
    this.#maxLineBytes = maxLineBytes;
  }

  /** Bytes of the partial line waiting for its newline. */
  get pendingBytes(): number {
    return this.#pendingLength;
  }

  /** Feeds a chunk; returns the lines it completes, in order. */
  push(chunk: Uint8Array): DecodedLine[] {
    const bytes = Buffer.isBuffer(chunk)
      ? chunk
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const out: DecodedLine[] = [];
    let start = 0;
    while (start < bytes.length) {
      const newline = bytes.indexOf(NEWLINE, start);
      const end = newline === -1 ? bytes.length : newline;
      if (this.#discarding) {
        if (newline === -1) return out;
        this.#discarding = false;
      } else if (this.#pendingLength + (end - start) + 1 > this.#maxLineBytes) {
        // With its newline, this line cannot fit: report it now, keep nothing of it.
        out.push({ kind: 'too_large', bytes: this.#pendingLength + (end - start) });
        this.#pendingLength = 0;
        this.#discarding = newline === -1;
      } else if (newline === -1) {
        this.#append(bytes, start, end);
      } else if (this.#pendingLength === 0) {
        out.push({ kind: 'line', text: decodeLine(bytes, start, end) });
      } else {
        this.#append(bytes, start, end);
        out.push({ kind: 'line', text: decodeLine(this.#pending, 0, this.#pendingLength) });
        this.#pendingLength = 0;
      }
      start = end + 1;
    }
    return out;
  }

  /**
   * Takes the partial line that has no newline yet, as if one had arrived (plain-text sessions
   * count a partial line as a line after a silence). Undefined when nothing is pending.
   */
  takePartial(): string | undefined {
    this.#discarding = false;
    if (this.#pendingLength === 0) return undefined;
    const text = decodeLine(this.#pending, 0, this.#pendingLength);
    this.#pendingLength = 0;
    return text;
  }

  #append(bytes: Buffer, start: number, end: number): void {
    const needed = this.#pendingLength + (end - start);
    if (needed > this.#pending.length) {
      const grown = Buffer.allocUnsafe(
        Math.min(this.#maxLineBytes, Math.max(needed, this.#pending.length * 2, 256)),
      );
      this.#pending.copy(grown, 0, 0, this.#pendingLength);
      this.#pending = grown;
    }
    bytes.copy(this.#pending, this.#pendingLength, start, end);
    this.#pendingLength = needed;
  }
}

/** Decodes `bytes[start, end)` as UTF-8, dropping the `\r` of a `\r\n` ending. */
function decodeLine(bytes: Buffer, start: number, end: number): string {
  if (end > start && bytes[end - 1] === CARRIAGE_RETURN) end--;
  return bytes.toString('utf8', start, end);
}

/** An error the protocol defines, as a value: the code of PROTOCOL.md and a readable sentence. */
export interface ProtocolError {
  readonly code: ErrorCode;
  readonly message: string;
  /** The `id` of the `say`/`dm` it rejects, so the sender can mark that message failed. */
  readonly id?: string;
}

export type Decoded<T> =
  { readonly ok: true; readonly frame: T } | { readonly ok: false; readonly error: ProtocolError };

/** A JSON object with a string `type`: a frame not yet validated. */
export interface RawFrame {
  readonly type: string;
  readonly [field: string]: unknown;
}

/** Parses one line of a JSON session. Undefined for a blank line, which is ignored. */
export function parseFrame(line: string): Decoded<RawFrame> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    if (line.trim() === '') return undefined;
    return badFrame('that line is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return badFrame('a frame must be a JSON object');
  }
  if (typeof (value as { type?: unknown }).type !== 'string') {
    return badFrame('a frame needs a string field "type"');
  }
  return { ok: true, frame: value as RawFrame };
}

function badFrame(message: string): Decoded<never> {
  return { ok: false, error: { code: 'bad_frame', message } };
}

/**
 * The streaming decoder of a JSON session: bytes in, frames and typed errors out
 * (`bad_frame`, `frame_too_large`). Blank lines are skipped.
 */
export class FrameDecoder {
  readonly #lines: LineDecoder;
  readonly #maxFrameBytes: number;

  constructor(maxFrameBytes: number = LIMITS.maxClientFrameBytes) {
    this.#lines = new LineDecoder(maxFrameBytes);
    this.#maxFrameBytes = maxFrameBytes;
  }

  /** Bytes of the partial frame waiting for its newline. */
  get pendingBytes(): number {
    return this.#lines.pendingBytes;
  }

  /** Feeds a chunk; returns the frames and errors it completes, in order. */
  push(chunk: Uint8Array): Decoded<RawFrame>[] {
    const out: Decoded<RawFrame>[] = [];
    for (const line of this.#lines.push(chunk)) {
      if (line.kind === 'too_large') {
        out.push({
          ok: false,
          error: {
            code: 'frame_too_large',
            message: `a frame may be at most ${this.#maxFrameBytes} bytes; that one was skipped`,
          },
        });
        continue;
      }
      const decoded = parseFrame(line.text);
      if (decoded) out.push(decoded);
    }
    return out;
  }
}
