import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clientFrame, serverFrame } from './arbitraries.test-util.js';
import type { RawFrame } from './decoder.js';
import { FrameDecoder } from './decoder.js';
import { encodeFrame, encodeFrameString } from './encode.js';
import { ERROR_CODES, FATAL_ERROR_CODES, LEAVE_REASONS } from './frames.js';
import { LIMITS } from './limits.js';
import { checkText, validateClientFrame, validateServerFrame } from './validate.js';

const codeOf = (raw: RawFrame): string => {
  const result = validateClientFrame(raw);
  return result.ok ? 'ok' : result.error.code;
};

describe('validateClientFrame', () => {
  it.each<[string, RawFrame]>([
    ['hello', { type: 'hello', protocol: 1, name: 'alice' }],
    [
      'hello with everything',
      { type: 'hello', protocol: 1, name: 'a', password: 'p', token: 't', since: 5 },
    ],
    ['say', { type: 'say', text: 'hi', id: 'm1' }],
    ['say as action', { type: 'say', text: 'waves', action: true }],
    ['dm', { type: 'dm', to: 'bob', text: 'psst' }],
    ['nick', { type: 'nick', name: 'al' }],
    ['who', { type: 'who' }],
    ['who from an offset', { type: 'who', offset: 1000 }],
    ['history', { type: 'history', before: 10, limit: 50 }],
    ['ping', { type: 'ping', nonce: 'n' }],
    ['pong', { type: 'pong', nonce: 3 }],
    ['bye', { type: 'bye', reason: 'lunch' }],
  ])('accepts %s', (_name, raw) => {
    expect(validateClientFrame(raw)).toEqual({ ok: true, frame: raw });
  });

  it('refuses a who offset that is not a whole number', () => {
    expect(codeOf({ type: 'who', offset: -1 })).toBe('bad_field');
    expect(codeOf({ type: 'who', offset: '10' })).toBe('bad_field');
  });

  it('drops unknown fields (forward compatibility)', () => {
    expect(validateClientFrame({ type: 'say', text: 'hi', colour: 'red' })).toEqual({
      ok: true,
      frame: { type: 'say', text: 'hi' },
    });
  });

  it('reads action: false as a plain message', () => {
    expect(validateClientFrame({ type: 'say', text: 'hi', action: false })).toEqual({
      ok: true,
      frame: { type: 'say', text: 'hi' },
    });
  });

  it('serves a history limit over 500 as 500', () => {
    expect(validateClientFrame({ type: 'history', before: 9, limit: 10_000 })).toEqual({
      ok: true,
      frame: { type: 'history', before: 9, limit: LIMITS.historyMaxLimit },
    });
  });

  it('answers an unknown type with unknown_type', () => {
    expect(codeOf({ type: 'dance' })).toBe('unknown_type');
  });

  it.each<[string, RawFrame]>([
    ['hello without name', { type: 'hello', protocol: 1 }],
    ['hello with a string protocol', { type: 'hello', protocol: '1', name: 'a' }],
    ['hello with a negative since', { type: 'hello', protocol: 1, name: 'a', since: -1 }],
    ['hello with a numeric epoch', { type: 'hello', protocol: 1, name: 'a', since: 3, epoch: 7 }],
    ['say without text', { type: 'say' }],
    ['say with a numeric text', { type: 'say', text: 5 }],
    ['say with a non-boolean action', { type: 'say', text: 'x', action: 'yes' }],
    ['say with an id over 64 characters', { type: 'say', text: 'x', id: 'i'.repeat(65) }],
    ['dm without to', { type: 'dm', text: 'x' }],
    ['nick without name', { type: 'nick' }],
    ['history without before', { type: 'history' }],
    ['history with a fractional before', { type: 'history', before: 1.5 }],
    ['history with limit 0', { type: 'history', before: 1, limit: 0 }],
    ['ping with an object nonce', { type: 'ping', nonce: {} }],
    ['bye with a numeric reason', { type: 'bye', reason: 1 }],
  ])('answers %s with bad_field', (_name, raw) => {
    expect(codeOf(raw)).toBe('bad_field');
  });

  it('puts the id of a rejected say on its error', () => {
    const result = validateClientFrame({ type: 'say', text: 7, id: 'm42' });
    expect(result).toMatchObject({ ok: false, error: { code: 'bad_field', id: 'm42' } });
  });
});

describe('validateServerFrame', () => {
  it('accepts every valid server frame', () => {
    fc.assert(
      fc.property(serverFrame, (frame) => {
        expect(validateServerFrame(frame as unknown as RawFrame)).toEqual({ ok: true, frame });
      }),
    );
  });

  it('answers a type it does not know with unknown_type, not a missing-field complaint', () => {
    const checked = validateServerFrame({ type: 'future_thing' });
    expect(checked.ok ? undefined : checked.error.code).toBe('unknown_type');
  });

  it('rejects a welcome whose epoch is not a string', () => {
    const welcome = {
      type: 'welcome',
      protocol: 1,
      server: 's',
      name: 'a',
      token: 't',
      users: [],
      seq: 0,
      limits: { maxText: 1, maxFrame: 1, ratePerSec: 1, rateBurst: 1 },
    };
    expect(validateServerFrame({ ...welcome, epoch: 'e1' }).ok).toBe(true);
    expect(validateServerFrame({ ...welcome, epoch: 12 }).ok).toBe(false);
  });

  it('rejects a message without seq and an error with an unknown code', () => {
    expect(validateServerFrame({ type: 'message', ts: 1, from: 'a', text: 'x' }).ok).toBe(false);
    expect(validateServerFrame({ type: 'error', code: 'boom', message: 'x' }).ok).toBe(false);
    expect(validateServerFrame({ type: 'joins', seq: 1, ts: 1, names: [] }).ok).toBe(false);
    expect(validateServerFrame({ type: 'joins', seq: 1, ts: 1, names: [3] }).ok).toBe(false);
    expect(validateServerFrame({ type: 'users', names: [], total: -2 }).ok).toBe(false);
  });
});

describe('encode then decode', () => {
  it('is the identity for every valid client frame', () => {
    fc.assert(
      fc.property(clientFrame, (frame) => {
        const [decoded] = new FrameDecoder().push(encodeFrame(frame));
        expect(decoded?.ok).toBe(true);
        if (decoded?.ok) expect(validateClientFrame(decoded.frame)).toEqual({ ok: true, frame });
      }),
      { numRuns: 1000 },
    );
  });

  it('is the identity for every valid server frame', () => {
    fc.assert(
      fc.property(serverFrame, (frame) => {
        const [decoded] = new FrameDecoder(LIMITS.maxServerFrameBytes).push(encodeFrame(frame));
        expect(decoded?.ok).toBe(true);
        if (decoded?.ok) expect(validateServerFrame(decoded.frame)).toEqual({ ok: true, frame });
      }),
      { numRuns: 1000 },
    );
  });

  it('writes one line per frame, even for text holding newlines', () => {
    const line = encodeFrameString({ type: 'notice', text: 'a\nb\r\nc\u2028' });
    expect(line.indexOf('\n')).toBe(line.length - 1);
  });
});

describe('checkText', () => {
  it('sanitises before checking', () => {
    expect(checkText('\x1b[31mred')).toEqual({ ok: true, text: 'red' });
  });

  it('answers empty and control-only text with text_empty', () => {
    expect(checkText('')).toMatchObject({ ok: false, code: 'text_empty' });
    expect(checkText('\x1b[2J')).toMatchObject({ ok: false, code: 'text_empty' });
  });

  it('treats white-space-only text as empty (reading "1 character" as one visible one)', () => {
    expect(checkText(' \n\t ')).toMatchObject({ ok: false, code: 'text_empty' });
  });

  it('allows 4,096 code points and answers more with text_too_long', () => {
    expect(checkText('😀'.repeat(4096)).ok).toBe(true);
    expect(checkText('😀'.repeat(4097))).toMatchObject({ ok: false, code: 'text_too_long' });
  });

  it('allows 100 lines and answers more with text_too_many_lines', () => {
    expect(checkText(Array(100).fill('x').join('\n'))).toMatchObject({ ok: true });
    expect(checkText(Array(101).fill('x').join('\n'))).toMatchObject({
      ok: false,
      code: 'text_too_many_lines',
      message: 'message has 101 lines, more than 100',
    });
    // A trailing break is a line; CR is removed by sanitising, so CR LF counts once.
    expect(checkText(`${'x\n'.repeat(100)}`)).toMatchObject({ code: 'text_too_many_lines' });
    expect(checkText('x\r\n'.repeat(99) + 'x')).toMatchObject({ ok: true });
  });
});

describe('constants', () => {
  it('lists exactly the error codes of PROTOCOL.md, and the fatal ones', () => {
    expect([...ERROR_CODES].sort()).toEqual(
      [
        'bad_frame',
        'frame_too_large',
        'unknown_type',
        'bad_field',
        'not_registered',
        'already_registered',
        'protocol_unsupported',
        'name_invalid',
        'name_taken',
        'auth_failed',
        'server_full',
        'text_too_long',
        'text_too_many_lines',
        'text_empty',
        'rate_limited',
        'no_such_user',
        'slow_consumer',
        'replaced',
        'shutdown',
        'tls_required',
        'too_many_connections',
        'unavailable',
      ].sort(),
    );
    expect([...FATAL_ERROR_CODES].sort()).toEqual(
      [
        'auth_failed',
        'protocol_unsupported',
        'replaced',
        'server_full',
        'shutdown',
        'slow_consumer',
        'tls_required',
        'too_many_connections',
      ].sort(),
    );
    expect(LEAVE_REASONS).toEqual([
      'quit',
      'timeout',
      'error',
      'slow_consumer',
      'kicked',
      'shutdown',
    ]);
  });
});
