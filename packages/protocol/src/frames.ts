/**
 * Every frame of PROTOCOL.md, as discriminated unions on `type`.
 * Client and server frames are separate unions: `dm`, `nick`, `ping` and `pong` exist in
 * both directions with different fields.
 */

export const ERROR_CODES = [
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
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Error codes after which the server closes the connection (sent with `fatal: true`). */
export const FATAL_ERROR_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'protocol_unsupported',
  'auth_failed',
  'server_full',
  'slow_consumer',
  'replaced',
  'shutdown',
  'tls_required',
  'too_many_connections',
]);

export const LEAVE_REASONS = [
  'quit',
  'timeout',
  'error',
  'slow_consumer',
  'kicked',
  'shutdown',
] as const;
export type LeaveReason = (typeof LEAVE_REASONS)[number];

/**
 * `ping`/`pong` nonce: a string of at most 64 characters or a safe integer, echoed back
 * unchanged (a larger number would come back rounded).
 */
export type Nonce = string | number;

// ---------------------------------------------------------------- client to server

export interface HelloFrame {
  readonly type: 'hello';
  readonly protocol: number;
  readonly name: string;
  readonly password?: string;
  readonly token?: string;
  readonly since?: number;
  /** The `welcome.epoch` that `since` was counted in: another epoch's `since` is ignored. */
  readonly epoch?: string;
}
export interface SayFrame {
  readonly type: 'say';
  readonly text: string;
  readonly id?: string;
  readonly action?: true;
}
export interface ClientDmFrame {
  readonly type: 'dm';
  readonly to: string;
  readonly text: string;
  readonly id?: string;
}
export interface ClientNickFrame {
  readonly type: 'nick';
  readonly name: string;
}
export interface WhoFrame {
  readonly type: 'who';
  /** Where the page of names starts in the member list (default 0). */
  readonly offset?: number;
}
export interface HistoryFrame {
  readonly type: 'history';
  readonly before: number;
  readonly limit?: number;
}
export interface PingFrame {
  readonly type: 'ping';
  readonly nonce?: Nonce;
}
export interface PongFrame {
  readonly type: 'pong';
  readonly nonce?: Nonce;
}
export interface ByeFrame {
  readonly type: 'bye';
  readonly reason?: string;
}

export type ClientFrame =
  | HelloFrame
  | SayFrame
  | ClientDmFrame
  | ClientNickFrame
  | WhoFrame
  | HistoryFrame
  | PingFrame
  | PongFrame
  | ByeFrame;
export type ClientFrameType = ClientFrame['type'];
export const CLIENT_FRAME_TYPES: readonly ClientFrameType[] = [
  'hello',
  'say',
  'dm',
  'nick',
  'who',
  'history',
  'ping',
  'pong',
  'bye',
];

// ---------------------------------------------------------------- server to client

interface EventBase {
  /** Grows by one for each event the server creates. */
  readonly seq: number;
  /** Server time, ms since the epoch. */
  readonly ts: number;
  /** Present on events sent as replay (after `welcome`, or answering `history`). */
  readonly replay?: true;
}
export interface MessageEvent extends EventBase {
  readonly type: 'message';
  readonly from: string;
  readonly text: string;
  readonly id?: string;
  readonly action?: true;
}
export interface DmEvent extends EventBase {
  readonly type: 'dm';
  readonly from: string;
  readonly to: string;
  readonly text: string;
  readonly id?: string;
}
export interface JoinEvent extends EventBase {
  readonly type: 'join';
  readonly name: string;
}
export interface LeaveEvent extends EventBase {
  readonly type: 'leave';
  readonly name: string;
  readonly reason: LeaveReason;
}
export interface NickEvent extends EventBase {
  readonly type: 'nick';
  readonly from: string;
  readonly to: string;
}
/** Events carry `seq` and `ts` and are kept in history. */
export type ChatEvent = MessageEvent | DmEvent | JoinEvent | LeaveEvent | NickEvent;

export interface ServerLimits {
  readonly maxText: number;
  readonly maxFrame: number;
  readonly ratePerSec: number;
  readonly rateBurst: number;
}
export interface WelcomeFrame {
  readonly type: 'welcome';
  readonly protocol: number;
  /** Server name/version, e.g. `ciao/0.1.0`. */
  readonly server: string;
  readonly name: string;
  readonly token: string;
  /** The first page of the member list (at most `LIMITS.usersPageSize` names). */
  readonly users: readonly string[];
  /** How many members there are; more than `users.length` when the rest is paged (`who`). */
  readonly userCount?: number;
  /** Latest seq at the time of registration. */
  readonly seq: number;
  /** The room log's identity: seqs of one epoch never repeat; a new epoch numbers anew. */
  readonly epoch?: string;
  readonly limits: ServerLimits;
  readonly motd?: string;
}
export interface HistoryEndFrame {
  readonly type: 'history_end';
  /** Older events exist in history than the ones just sent. */
  readonly more: boolean;
  /** The seq to pass as `history.before` to continue further back (the oldest seq sent). */
  readonly before?: number;
}
export interface UsersFrame {
  readonly type: 'users';
  /** One page of the member list, in join order. */
  readonly names: readonly string[];
  /** Where `names` starts in the member list, and how many members there are. */
  readonly offset?: number;
  readonly total?: number;
}
/**
 * Several `join` events with consecutive seqs in one frame: `names[i]` joined as event
 * `seq + i`. Sent live only (replays carry the single events); never stored as one event.
 */
export interface JoinsFrame {
  readonly type: 'joins';
  readonly seq: number;
  readonly ts: number;
  readonly names: readonly string[];
}
export interface NoticeFrame {
  readonly type: 'notice';
  readonly text: string;
}
export interface ErrorFrame {
  readonly type: 'error';
  readonly code: ErrorCode;
  /** A sentence a person can read. */
  readonly message: string;
  /** The `id` of the rejected `say`/`dm`. */
  readonly id?: string;
  readonly fatal?: true;
}

/**
 * Answers a resent `say`/`dm` whose `id` was delivered as event `seq` that is no longer in
 * history: the client learns it was delivered and must not send it again.
 */
export interface DeliveredFrame {
  readonly type: 'delivered';
  readonly id: string;
  readonly seq: number;
}

export type ServerFrame =
  | WelcomeFrame
  | DeliveredFrame
  | ChatEvent
  | HistoryEndFrame
  | UsersFrame
  | JoinsFrame
  | NoticeFrame
  | ErrorFrame
  | PingFrame
  | PongFrame;
export type ServerFrameType = ServerFrame['type'];

export type AnyFrame = ClientFrame | ServerFrame;

/** True for frames that are history events (they carry `seq`). */
export function isChatEvent(frame: ServerFrame): frame is ChatEvent {
  return (
    frame.type === 'message' ||
    frame.type === 'join' ||
    frame.type === 'leave' ||
    ((frame.type === 'dm' || frame.type === 'nick') && 'seq' in frame)
  );
}
