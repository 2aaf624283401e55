import type { Decoded, ProtocolError, RawFrame } from './decoder.js';
import type {
  ChatEvent,
  ClientFrame,
  ErrorCode,
  LeaveReason,
  Nonce,
  ServerFrame,
  ServerLimits,
} from './frames.js';
import { ERROR_CODES, LEAVE_REASONS } from './frames.js';
import { LIMITS } from './limits.js';
import { codePointLength, sanitize } from './sanitize.js';

/** Thrown inside validation only, turned into a `bad_field` value at its edge. */
class FieldError extends Error {}

type Fields = Readonly<Record<string, unknown>>;

function str(raw: Fields, field: string): string {
  const value = raw[field];
  if (typeof value !== 'string') throw new FieldError(`"${field}" must be a string`);
  return value;
}
function optStr(raw: Fields, field: string): string | undefined {
  return raw[field] === undefined ? undefined : str(raw, field);
}
function seqNumber(raw: Fields, field: string): number {
  const value = raw[field];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new FieldError(`"${field}" must be a whole number of 0 or more`);
  }
  return value;
}
function optSeqNumber(raw: Fields, field: string): number | undefined {
  return raw[field] === undefined ? undefined : seqNumber(raw, field);
}
function optTrue(raw: Fields, field: string): true | undefined {
  const value = raw[field];
  if (value === undefined || value === false) return undefined;
  if (value !== true) throw new FieldError(`"${field}" must be true or false`);
  return true;
}
function optNonce(raw: Fields): Nonce | undefined {
  const value = raw['nonce'];
  if (value === undefined || Number.isSafeInteger(value)) return value as number | undefined;
  if (typeof value === 'string' && codePointLength(value) <= LIMITS.maxNonceChars) return value;
  throw new FieldError(
    `"nonce" must be a string of at most ${LIMITS.maxNonceChars} characters or a whole number`,
  );
}
function optId(raw: Fields): string | undefined {
  const id = optStr(raw, 'id');
  if (id !== undefined && codePointLength(id) > LIMITS.maxIdChars) {
    throw new FieldError(`"id" may be at most ${LIMITS.maxIdChars} characters`);
  }
  return id;
}
function strArray(raw: Fields, field: string): string[] {
  const value = raw[field];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new FieldError(`"${field}" must be a list of strings`);
  }
  return value as string[];
}
function oneOf<T extends string>(raw: Fields, field: string, allowed: readonly T[]): T {
  const value = str(raw, field);
  if (!(allowed as readonly string[]).includes(value)) {
    throw new FieldError(`"${field}" has an unknown value`);
  }
  return value as T;
}

/** Builds an object without its undefined fields, so encoded frames carry no `null`s or holes. */
function compact<const T extends object>(frame: T): T {
  for (const key of Object.keys(frame) as (keyof T)[]) {
    if (frame[key] === undefined) delete frame[key];
  }
  return frame;
}

function parseClientFrame(raw: RawFrame): ClientFrame | undefined {
  switch (raw.type) {
    case 'hello': {
      const protocol = raw['protocol'];
      if (typeof protocol !== 'number') throw new FieldError('"protocol" must be a number');
      return compact({
        type: 'hello',
        protocol,
        name: str(raw, 'name'),
        password: optStr(raw, 'password'),
        token: optStr(raw, 'token'),
        since: optSeqNumber(raw, 'since'),
        epoch: optStr(raw, 'epoch'),
      });
    }
    case 'say':
      return compact({
        type: 'say',
        text: str(raw, 'text'),
        id: optId(raw),
        action: optTrue(raw, 'action'),
      });
    case 'dm':
      return compact({ type: 'dm', to: str(raw, 'to'), text: str(raw, 'text'), id: optId(raw) });
    case 'nick':
      return { type: 'nick', name: str(raw, 'name') };
    case 'who':
      return compact({ type: 'who', offset: optSeqNumber(raw, 'offset') });
    case 'history': {
      const limit = optSeqNumber(raw, 'limit');
      if (limit === 0) throw new FieldError('"limit" must be at least 1');
      return compact({
        type: 'history',
        before: seqNumber(raw, 'before'),
        // Over the maximum is served as the maximum rather than refused.
        limit: limit === undefined ? undefined : Math.min(limit, LIMITS.historyMaxLimit),
      });
    }
    case 'ping':
    case 'pong':
      return compact({ type: raw.type, nonce: optNonce(raw) });
    case 'bye':
      return compact({ type: 'bye', reason: optStr(raw, 'reason') });
    default:
      return undefined;
  }
}

/**
 * Turns a raw client frame into a typed one: `unknown_type` for a type PROTOCOL.md does not
 * define, `bad_field` for a missing or mistyped field. Unknown fields are dropped. The error
 * carries the frame's `id` when it has a string one, so a rejected `say`/`dm` can be marked.
 */
export function validateClientFrame(raw: RawFrame): Decoded<ClientFrame> {
  return validateWith(parseClientFrame, raw);
}

function validateWith<T>(parse: (raw: RawFrame) => T | undefined, raw: RawFrame): Decoded<T> {
  try {
    const frame = parse(raw);
    if (frame) return { ok: true, frame };
    return fail(raw, 'unknown_type', `unknown frame type "${clip(raw.type)}"`);
  } catch (error) {
    if (error instanceof FieldError) return fail(raw, 'bad_field', `${raw.type}: ${error.message}`);
    throw error;
  }
}

function fail(raw: RawFrame, code: ErrorCode, message: string): Decoded<never> {
  const id = raw['id'];
  const error: ProtocolError =
    typeof id === 'string' && codePointLength(id) <= LIMITS.maxIdChars
      ? { code, message, id }
      : { code, message };
  return { ok: false, error };
}

function clip(text: string): string {
  const clean = sanitize(text);
  return clean.length > 32 ? `${clean.slice(0, 32)}…` : clean;
}

const EVENT_TYPES: ReadonlySet<string> = new Set(['message', 'dm', 'join', 'leave', 'nick']);

function parseEvent(raw: RawFrame): ChatEvent | undefined {
  // An unknown type is `unknown_type`, not a complaint about the event fields it lacks.
  if (!EVENT_TYPES.has(raw.type)) return undefined;
  const base = {
    seq: seqNumber(raw, 'seq'),
    ts: seqNumber(raw, 'ts'),
    replay: optTrue(raw, 'replay'),
  };
  switch (raw.type) {
    case 'message':
      return compact({
        type: 'message',
        ...base,
        from: str(raw, 'from'),
        text: str(raw, 'text'),
        id: optStr(raw, 'id'),
        action: optTrue(raw, 'action'),
      });
    case 'dm':
      return compact({
        type: 'dm',
        ...base,
        from: str(raw, 'from'),
        to: str(raw, 'to'),
        text: str(raw, 'text'),
        id: optStr(raw, 'id'),
      });
    case 'join':
      return compact({ type: 'join', ...base, name: str(raw, 'name') });
    case 'leave':
      return compact({
        type: 'leave',
        ...base,
        name: str(raw, 'name'),
        // A reason this client does not know is shown as a plain error-less leave.
        reason: (LEAVE_REASONS as readonly string[]).includes(raw['reason'] as string)
          ? (raw['reason'] as LeaveReason)
          : 'quit',
      });
    case 'nick':
      return compact({ type: 'nick', ...base, from: str(raw, 'from'), to: str(raw, 'to') });
    default:
      return undefined;
  }
}

function parseLimits(raw: Fields): ServerLimits {
  const value = raw['limits'];
  if (typeof value !== 'object' || value === null)
    throw new FieldError('"limits" must be an object');
  const limits = value as Fields;
  return {
    maxText: seqNumber(limits, 'maxText'),
    maxFrame: seqNumber(limits, 'maxFrame'),
    ratePerSec: typeof limits['ratePerSec'] === 'number' ? limits['ratePerSec'] : 0,
    rateBurst: seqNumber(limits, 'rateBurst'),
  };
}

function parseServerFrame(raw: RawFrame): ServerFrame | undefined {
  switch (raw.type) {
    case 'welcome': {
      const protocol = raw['protocol'];
      if (typeof protocol !== 'number') throw new FieldError('"protocol" must be a number');
      return compact({
        type: 'welcome',
        protocol,
        server: str(raw, 'server'),
        name: str(raw, 'name'),
        token: str(raw, 'token'),
        users: strArray(raw, 'users'),
        userCount: optSeqNumber(raw, 'userCount'),
        seq: seqNumber(raw, 'seq'),
        epoch: optStr(raw, 'epoch'),
        limits: parseLimits(raw),
        motd: optStr(raw, 'motd'),
      });
    }
    case 'history_end': {
      const more = raw['more'];
      if (typeof more !== 'boolean') throw new FieldError('"more" must be true or false');
      return compact({ type: 'history_end', more, before: optSeqNumber(raw, 'before') });
    }
    case 'users':
      return compact({
        type: 'users',
        names: strArray(raw, 'names'),
        offset: optSeqNumber(raw, 'offset'),
        total: optSeqNumber(raw, 'total'),
      });
    case 'joins': {
      const names = strArray(raw, 'names');
      if (names.length === 0) throw new FieldError('"names" must not be empty');
      return { type: 'joins', seq: seqNumber(raw, 'seq'), ts: seqNumber(raw, 'ts'), names };
    }
    case 'delivered':
      return { type: 'delivered', id: str(raw, 'id'), seq: seqNumber(raw, 'seq') };
    case 'notice':
      return { type: 'notice', text: str(raw, 'text') };
    case 'error':
      return compact({
        type: 'error',
        code: oneOf(raw, 'code', ERROR_CODES),
        message: str(raw, 'message'),
        id: optStr(raw, 'id'),
        fatal: optTrue(raw, 'fatal'),
      });
    case 'ping':
    case 'pong':
      return compact({ type: raw.type, nonce: optNonce(raw) });
    default:
      return parseEvent(raw);
  }
}

/**
 * Checks what a server sent, for clients: `unknown_type` for a type this version does not know
 * (a client ignores it: forward compatibility), `bad_field` for a known type with a missing or
 * mistyped field. Unknown fields are dropped. Lenient where a newer server may say more: a
 * `leave` reason this version does not know reads as `quit`, and a missing
 * `limits.ratePerSec` as 0 (no client-side pacing). Text is not sanitised here: the client
 * renders it as data.
 */
export function validateServerFrame(raw: RawFrame): Decoded<ServerFrame> {
  return validateWith(parseServerFrame, raw);
}

export type TextCheck =
  | { readonly ok: true; readonly text: string }
  | {
      readonly ok: false;
      readonly code: 'text_empty' | 'text_too_long' | 'text_too_many_lines';
      readonly message: string;
    };

/**
 * Sanitises a message text and checks its size: 1 to 4,096 code points and at most 100 lines
 * after sanitising.
 * Text that is only white space counts as empty: PROTOCOL.md's "1 character" is read as one
 * visible character, since a blank chat line carries nothing.
 */
export function checkText(text: string): TextCheck {
  const clean = sanitize(text);
  if (clean.trim() === '') return { ok: false, code: 'text_empty', message: 'message is empty' };
  if (clean.length > LIMITS.maxTextChars && codePointLength(clean) > LIMITS.maxTextChars) {
    return {
      ok: false,
      code: 'text_too_long',
      message: `message is longer than ${LIMITS.maxTextChars} characters`,
    };
  }
  const lines = textLines(clean);
  if (lines > LIMITS.maxTextLines) {
    return {
      ok: false,
      code: 'text_too_many_lines',
      message: `message has ${lines} lines, more than ${LIMITS.maxTextLines}`,
    };
  }
  return { ok: true, text: clean };
}

/** Lines in a text: its line breaks + 1 (PROTOCOL.md counts a trailing break as a line). */
export function textLines(text: string): number {
  let lines = 1;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) lines++;
  return lines;
}
