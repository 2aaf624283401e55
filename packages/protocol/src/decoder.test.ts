import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clientFrame } from './arbitraries.test-util.js';
import type { Decoded, DecodedLine, RawFrame } from './decoder.js';
import { FrameDecoder, LineDecoder, parseFrame } from './decoder.js';
import { encodeFrame } from './encode.js';
import { LIMITS } from './limits.js';

const bytes = (text: string): Buffer => Buffer.from(text, 'utf8');

/** `data` cut at the given offsets (taken modulo its length, in any order), as a socket might. */
function chunksAt(data: Buffer, cuts: number[]): Buffer[] {
  const offsets = cuts.map((c) => (data.length === 0 ? 0 : c % data.length)).sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let start = 0;
  for (const cut of offsets) {
    chunks.push(data.subarray(start, cut));
    start = cut;
  }
  chunks.push(data.subarray(start));
  return chunks;
}

/** Feeds `data` cut at the given offsets and collects everything decoded. */
function decodeInChunks(data: Buffer, cuts: number[], max = 64): DecodedLine[] {
  const decoder = new LineDecoder(max);
  return chunksAt(data, cuts).flatMap((chunk) => decoder.push(chunk));
}

describe('LineDecoder', () => {
  it('splits lines and strips the CR of CRLF', () => {
    const decoder = new LineDecoder(100);
    expect(decoder.push(bytes('one\r\ntwo\n\nthr'))).toEqual([
      { kind: 'line', text: 'one' },
      { kind: 'line', text: 'two' },
      { kind: 'line', text: '' },
    ]);
    expect(decoder.pendingBytes).toBe(3);
    expect(decoder.push(bytes('ee\n'))).toEqual([{ kind: 'line', text: 'three' }]);
    expect(decoder.pendingBytes).toBe(0);
  });

  it('decodes UTF-8 sequences split across chunks, one byte at a time', () => {
    const decoder = new LineDecoder(100);
    const data = bytes('héllo 😀 日本\n');
    const out: DecodedLine[] = [];
    for (const byte of data) out.push(...decoder.push(Uint8Array.of(byte)));
    expect(out).toEqual([{ kind: 'line', text: 'héllo 😀 日本' }]);
  });

  it('accepts a line of exactly the limit, newline included', () => {
    const decoder = new LineDecoder(10);
    expect(decoder.push(bytes('123456789\n'))).toEqual([{ kind: 'line', text: '123456789' }]);
    expect(decoder.push(bytes('1234567890\n'))).toEqual([{ kind: 'too_large', bytes: 10 }]);
  });

  it('skips an over-long line to its next newline, reports it once, and goes on', () => {
    const decoder = new LineDecoder(10);
    const out = [
      ...decoder.push(bytes('ok\n0123456789')),
      ...decoder.push(bytes('abcdefghij')),
      ...decoder.push(bytes('klm\nafter\n')),
    ];
    expect(out).toEqual([
      { kind: 'line', text: 'ok' },
      { kind: 'too_large', bytes: 10 },
      { kind: 'line', text: 'after' },
    ]);
  });

  it('never buffers more than its limit, however long the line', () => {
    const decoder = new LineDecoder(1000);
    let reports = 0;
    for (let i = 0; i < 5000; i++) {
      reports += decoder.push(bytes('xxxxxxxxxxxxxxxxxxxx')).length;
      expect(decoder.pendingBytes).toBeLessThan(1000);
    }
    expect(reports).toBe(1);
    expect(decoder.push(bytes('\nnext\n'))).toEqual([{ kind: 'line', text: 'next' }]);
  });

  it('hands over a partial line on request (plain-text sessions after a silence)', () => {
    const decoder = new LineDecoder(100);
    expect(decoder.push(bytes('no newline'))).toEqual([]);
    expect(decoder.takePartial()).toBe('no newline');
    expect(decoder.takePartial()).toBeUndefined();
    expect(decoder.push(bytes('x\n'))).toEqual([{ kind: 'line', text: 'x' }]);
  });

  it('decodes any chunking of a stream to the same lines', () => {
    const line = fc.string({ unit: 'binary', maxLength: 80 }).map((s) => s.replace(/\n/g, ''));
    fc.assert(
      fc.property(
        fc.array(line, { maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (lines, rawCuts) => {
          const data = bytes(lines.map((l) => `${l}\n`).join(''));
          expect(decodeInChunks(data, rawCuts, 400)).toEqual(decodeInChunks(data, [], 400));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('reports over-long lines the same way under any chunking', () => {
    const line = fc.string({ maxLength: 100 }).map((s) => s.replace(/\n/g, ''));
    fc.assert(
      fc.property(
        fc.array(line, { maxLength: 10 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (lines, rawCuts) => {
          const data = bytes(lines.map((l) => `${l}\n`).join(''));
          const kinds = (out: DecodedLine[]): string[] =>
            out.map((l) => (l.kind === 'line' ? `line:${l.text}` : 'too_large'));
          expect(kinds(decodeInChunks(data, rawCuts, 40))).toEqual(
            kinds(decodeInChunks(data, [], 40)),
          );
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('parseFrame', () => {
  it('ignores empty and white-space lines', () => {
    expect(parseFrame('')).toBeUndefined();
    expect(parseFrame('  \t ')).toBeUndefined();
  });

  it.each([
    ['not JSON', 'hello there'],
    ['truncated JSON', '{"type":"say"'],
    ['an array', '[1,2]'],
    ['a string', '"say"'],
    ['null', 'null'],
    ['an object without type', '{"text":"hi"}'],
    ['a non-string type', '{"type":7}'],
  ])('answers %s with bad_frame', (_name, line) => {
    const result = parseFrame(line);
    expect(result?.ok).toBe(false);
    if (result && !result.ok) expect(result.error.code).toBe('bad_frame');
  });

  it('keeps unknown fields for the validator to drop', () => {
    expect(parseFrame('{"type":"who","future":1}')).toEqual({
      ok: true,
      frame: { type: 'who', future: 1 },
    });
  });
});

describe('FrameDecoder', () => {
  const frames = (results: Decoded<RawFrame>[]): unknown[] =>
    results.map((r) => (r.ok ? r.frame : r.error.code));

  it('decodes many frames in one chunk, skipping blank lines', () => {
    const decoder = new FrameDecoder();
    expect(
      frames(decoder.push(bytes('{"type":"who"}\n\n  \r\n{"type":"ping","nonce":1}\r\n'))),
    ).toEqual([{ type: 'who' }, { type: 'ping', nonce: 1 }]);
  });

  it('reports frame_too_large for a frame over 65,536 bytes and decodes the next one', () => {
    const decoder = new FrameDecoder();
    const huge = JSON.stringify({ type: 'say', text: 'x'.repeat(LIMITS.maxClientFrameBytes) });
    const out = decoder.push(bytes(`${huge}\n{"type":"who"}\n`));
    expect(frames(out)).toEqual(['frame_too_large', { type: 'who' }]);
    const first = out[0];
    expect(first && !first.ok && first.error.message).toMatch(/65536 bytes/);
  });

  it('decodes any chunking of encoded frames to the same frames', () => {
    fc.assert(
      fc.property(
        fc.array(clientFrame, { maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 16 }),
        (sent, rawCuts) => {
          const data = Buffer.concat(sent.map(encodeFrame));
          const decoder = new FrameDecoder();
          const out = chunksAt(data, rawCuts).flatMap((chunk) => decoder.push(chunk));
          expect(frames(out)).toEqual(sent);
        },
      ),
      { numRuns: 300 },
    );
  });
});
