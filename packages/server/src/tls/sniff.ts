import type { Socket } from 'node:net';
import type { Transport } from './first-byte.js';
import { transportOf } from './first-byte.js';

/** What a new connection did first: sent bytes of a transport, stayed silent, or went away. */
export type FirstMove = Transport | 'silent' | 'gone';

/**
 * Waits for a connection's first bytes, up to `silentMs`, without consuming them: the chunk is
 * pushed back (`unshift`) and the socket left paused, so whoever takes it next (the TLS layer
 * or a session) reads it as if nothing had looked. A TLS client always speaks first; a person
 * at `nc` may not, and after `silentMs` is treated as clear text (and prompted).
 */
export function sniffFirstMove(
  socket: Socket,
  silentMs: number,
  done: (move: FirstMove, first: Buffer | undefined) => void,
): void {
  const finish = (move: FirstMove, first?: Buffer): void => {
    clearTimeout(timer);
    socket.off('data', onData);
    socket.off('close', onGone);
    socket.off('error', onGone);
    socket.pause();
    done(move, first);
  };
  const onData = (chunk: Buffer): void => {
    // Paused first: a flowing stream may emit an unshifted chunk again at once.
    socket.pause();
    socket.unshift(chunk);
    finish(transportOf(chunk), chunk);
  };
  const onGone = (): void => {
    socket.on('error', ignore);
    socket.destroy();
    finish('gone');
  };
  const timer = setTimeout(() => finish('silent'), silentMs);
  timer.unref();
  socket.on('data', onData);
  socket.once('close', onGone);
  socket.once('error', onGone);
}

function ignore(): void {}
