import type { AnyFrame } from './frames.js';

/** One frame as one newline-terminated JSON line. */
export function encodeFrameString(frame: AnyFrame): string {
  return JSON.stringify(frame) + '\n';
}

/**
 * One frame as the bytes to write. A server encodes a broadcast once and writes the same Buffer
 * to every connection.
 */
export function encodeFrame(frame: AnyFrame): Buffer {
  return Buffer.from(encodeFrameString(frame), 'utf8');
}
