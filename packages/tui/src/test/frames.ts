import type {
  DmEvent,
  JoinEvent,
  LeaveEvent,
  MessageEvent,
  NickEvent,
  WelcomeFrame,
} from '@ciao/protocol';

/** Fixed time for deterministic stamps: 2026-01-02 14:03 UTC. */
export const T0 = Date.UTC(2026, 0, 2, 14, 3, 0);

export function welcome(over: Partial<WelcomeFrame> = {}): WelcomeFrame {
  return {
    type: 'welcome',
    protocol: 1,
    server: 'ciao/0.1.0',
    name: 'ann',
    token: 'tok-ann',
    users: ['ann', 'bob'],
    seq: 0,
    limits: { maxText: 4096, maxFrame: 65536, ratePerSec: 5, rateBurst: 20 },
    ...over,
  };
}

export function msg(
  seq: number,
  from: string,
  text: string,
  over: Partial<MessageEvent> = {},
): MessageEvent {
  return { type: 'message', seq, ts: T0 + seq * 1000, from, text, ...over };
}

export function dm(
  seq: number,
  from: string,
  to: string,
  text: string,
  over: Partial<DmEvent> = {},
): DmEvent {
  return { type: 'dm', seq, ts: T0 + seq * 1000, from, to, text, ...over };
}

export function join(seq: number, name: string, over: Partial<JoinEvent> = {}): JoinEvent {
  return { type: 'join', seq, ts: T0 + seq * 1000, name, ...over };
}

export function leave(seq: number, name: string, over: Partial<LeaveEvent> = {}): LeaveEvent {
  return { type: 'leave', seq, ts: T0 + seq * 1000, name, reason: 'quit', ...over };
}

export function nick(seq: number, from: string, to: string): NickEvent {
  return { type: 'nick', seq, ts: T0 + seq * 1000, from, to };
}
