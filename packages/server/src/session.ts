import type { Socket } from 'node:net';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ClientFrame, ErrorCode, HelloFrame, LeaveReason, ServerFrame } from '@ciao/protocol';
import {
  FATAL_ERROR_CODES,
  LIMITS,
  PROTOCOL_VERSION,
  encodeFrameString,
  renderPlain,
} from '@ciao/protocol';
import type { HistoryBatch, HistoryEntry, Member, RegisterResult } from './room.js';
import type { Hub } from './hub.js';
import { TokenBucket } from './token-bucket.js';
import { JsonInput } from './json-session.js';
import { PlainInput } from './plain-session.js';
import { SessionOutput } from './session-output.js';
import type { OutputOwner } from './session-output.js';

export type SessionMode = 'unknown' | 'json' | 'plain';

/** Plain sessions joining without `since` see this many recent events, to get some context. */
export const PLAIN_REPLAY_EVENTS = 20;

/** Frames a session may send while the room answers an earlier one before it is paused. */
const MAX_AWAITING_FRAMES = 64;

/** How long a closing connection may take to read its last bytes before it is destroyed. */
const CLOSE_GRACE_MS = 2_000;

/**
 * Why a session ends, and so what its member's `leave` says and how the socket goes:
 * `graceful` writes what is queued, then ends; `destroy` drops the socket at once.
 */
const ENDINGS = {
  /** `bye`, `{quit}`, or the peer ended its side. */
  quit: { leave: 'quit', close: 'graceful' },
  /** The peer's socket is gone (closed without an end we saw). */
  closed: { leave: 'quit', close: 'destroy' },
  /** A fatal error was queued (its frame goes out first). */
  fatal: { leave: 'error', close: 'graceful' },
  /** The socket failed (reset, write error). */
  reset: { leave: 'error', close: 'destroy' },
  /** A member silent too long, or a connection that never registered. */
  timeout: { leave: 'timeout', close: 'destroy' },
  slow_consumer: { leave: 'slow_consumer', close: 'abandon' },
  /** A bug while handling this session's input: this session ends, the server goes on. */
  crash: { leave: 'error', close: 'destroy' },
} as const satisfies Record<
  string,
  { leave: LeaveReason; close: 'graceful' | 'destroy' | 'abandon' }
>;
export type EndReason = keyof typeof ENDINGS;

interface SocketWithSession extends Socket {
  ciaoSession?: Session;
}

/**
 * One connection, from accept to close. It owns all of its state: the input decoder (JSON or
 * plain text, chosen by the first byte), its member in the room, its token bucket, its output
 * ({@link SessionOutput}) and its timers, and it ends along one path, {@link end}. Input is
 * handled inside a guard, so a bug in one session ends that session, not the process.
 */
export class Session implements OutputOwner {
  readonly id: number;
  readonly #socket: Socket;
  readonly #hub: Hub;
  readonly #output: SessionOutput;
  /** When the socket was accepted (ms), and from where (kept: a closed socket forgets it). */
  readonly connectedAt: number;
  readonly remoteAddress: string;
  #state: 'open' | 'closing' | 'closed' = 'open';
  #mode: SessionMode = 'unknown';
  #input: JsonInput | PlainInput | undefined;
  #member: Member<Session> | undefined;
  #bucket: TokenBucket | undefined;
  #lastRecv: number;
  #lastNick = -Infinity;
  #pinged = false;
  #promptTimer: NodeJS.Timeout | undefined;
  /**
   * A `hello` waiting for a seat (the hub seats a few per turn) and the frames read after it,
   * handled in order once seated; the socket is paused meanwhile, so this stays one chunk.
   */
  #held: { readonly hello: HelloFrame; readonly after: ClientFrame[] } | undefined;
  /** Destroys the socket if the peer has not closed it within the grace after our end. */
  #closeTimer: NodeJS.Timeout | undefined;
  /**
   * Frames read while the room answers an earlier one (a shared room answers after a round
   * trip to Redis): handled in order once it has; undefined while nothing is awaited.
   */
  #awaiting: ClientFrame[] | undefined;

  constructor(id: number, socket: Socket, hub: Hub, now: number, promptDelayMs: number) {
    this.id = id;
    this.#socket = socket;
    this.#hub = hub;
    this.connectedAt = now;
    this.remoteAddress = socket.remoteAddress ?? '';
    this.#lastRecv = now;
    this.#output = new SessionOutput(socket, this, hub.config);
    (socket as SocketWithSession).ciaoSession = this;
    // No delay and keep-alive are set by the server on accept (server.ts).
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('end', onEnd);
    socket.on('close', onClose);
    socket.on('drain', onDrain);
    // A person at `nc` sees something; a JSON client sends `hello` at once and never sees it.
    this.#promptTimer = setTimeout(onPromptTimer, promptDelayMs, this);
    this.#promptTimer.unref();
  }

  get mode(): SessionMode {
    return this.#mode;
  }

  get registered(): boolean {
    return this.#member !== undefined;
  }

  /** The room has not yet answered a request of this session (a shared room's round trip). */
  get answering(): boolean {
    return this.#awaiting !== undefined;
  }

  /** Still reading and answering (not ending). */
  get open(): boolean {
    return this.#state === 'open';
  }

  /** Bytes received: picks the session kind on the first non-white-space byte. */
  receive(chunk: Buffer): void {
    if (this.#state !== 'open') return;
    this.guard(() => {
      this.#lastRecv = this.#hub.now();
      this.#pinged = false;
      if (this.#input === undefined) {
        let i = 0;
        while (i < chunk.length && isSpace(chunk[i]!)) i++;
        if (i === chunk.length) return;
        this.#clearPrompt();
        if (chunk[i] === 0x7b /* { */) {
          this.#mode = 'json';
          this.#input = new JsonInput(this);
        } else {
          this.#mode = 'plain';
          this.#input = new PlainInput(this, this.#hub.config);
          this.#hub.plainStarted();
        }
        if (i > 0) chunk = chunk.subarray(i);
      }
      this.#input.push(chunk);
    });
  }

  /** Runs input handling; an exception ends this session only (and is logged as a bug). */
  guard(run: () => void): void {
    try {
      run();
    } catch (err) {
      this.#hub.log.error('session failed', {
        conn: this.id,
        error: err instanceof Error ? (err.stack ?? err.message) : String(err),
      });
      this.end('crash');
    }
  }

  // ------------------------------------------------------------------ frames from the client

  /** Handles one valid client frame (from JSON, or built from a plain-text line). */
  handle(frame: ClientFrame): void {
    if (this.#state !== 'open') return;
    if (this.#held) {
      this.#held.after.push(frame);
      return;
    }
    if (this.#awaiting) {
      this.#awaiting.push(frame);
      // A client that keeps sending while its requests wait is read no further until they are answered.
      if (this.#awaiting.length === MAX_AWAITING_FRAMES) this.#socket.pause();
      return;
    }
    const member = this.#member;
    if (frame.type === 'ping') {
      this.send(
        frame.nonce === undefined ? { type: 'pong' } : { type: 'pong', nonce: frame.nonce },
      );
      return;
    }
    if (frame.type === 'hello') {
      if (member) this.error('already_registered', `you are already registered as ${member.name}`);
      // Plain sessions read `registered` right after (their prompt): they are seated at once.
      else if (this.#mode === 'plain' || this.#hub.seatNow(this)) this.#hello(frame);
      else {
        this.#held = { hello: frame, after: [] };
        this.#socket.pause();
      }
      return;
    }
    if (!member) {
      const id = frame.type === 'say' || frame.type === 'dm' ? frame.id : undefined;
      this.error('not_registered', 'send hello first', id);
      return;
    }
    const room = this.#hub.room;
    // What a member says or does comes after its join (PROTOCOL.md, Presence); `bye` leaves.
    if (frame.type === 'say' || frame.type === 'dm' || frame.type === 'nick')
      this.#hub.beforeAct(member);
    switch (frame.type) {
      case 'say':
      case 'dm': {
        const dup = room.duplicateOf(member, frame.id);
        if (dup) {
          // Resent after a reconnect: answer with the original event, create nothing.
          if (dup.kind === 'event') this.#output.push(this.#encode(dup.entry, false), this.#at());
          else this.send({ type: 'delivered', id: frame.id!, seq: dup.seq });
          return;
        }
        if (!this.#spend(frame.id)) return;
        const id = frame.id;
        this.#then(
          frame.type === 'say'
            ? room.say(member, frame.text, id, frame.action)
            : room.dm(member, frame.to, frame.text, id),
          (result) => {
            if (!result.ok) this.error(result.code, result.message, id);
            // Known only after the shared log's check: answered as the pre-check above would.
            else if (result.duplicate) {
              if (result.entry) this.#output.push(this.#encode(result.entry, false), this.#at());
              else if (id !== undefined && result.seq !== undefined)
                this.send({ type: 'delivered', id, seq: result.seq });
            }
          },
        );
        return;
      }
      case 'nick': {
        const now = this.#hub.now();
        if (now - this.#lastNick < this.#hub.config.nickIntervalMs) {
          const seconds = Math.ceil(this.#hub.config.nickIntervalMs / 1000);
          this.error('rate_limited', `you may change your name once every ${seconds} s`);
          return;
        }
        if (!this.#spend(undefined)) return;
        const from = member.name;
        this.#then(room.nick(member, frame.name), (result) => {
          if (!result.ok) this.error(result.code, result.message);
          else if (result.entry || member.name !== from) {
            this.#lastNick = now;
            this.#hub.log.info('nick', { conn: this.id, from, to: frame.name });
          }
        });
        return;
      }
      case 'who': {
        if (!this.#spend(undefined)) return;
        const offset = frame.offset ?? 0;
        const list = room.list;
        if (this.#mode === 'plain')
          this.send({ type: 'users', names: list.page(offset), offset, total: list.size });
        else this.#output.push(list.usersJson(offset), this.#at());
        return;
      }
      case 'history':
        if (this.#spend(undefined))
          this.#replay(
            room.history(member, frame.before, frame.limit ?? LIMITS.historyDefaultLimit),
          );
        return;
      case 'pong':
        return;
      case 'bye':
        this.end('quit');
        return;
      default: {
        const never: never = frame;
        return never;
      }
    }
  }

  /** Takes a token for a costly frame; answers `rate_limited` (with the frame's id) if none. */
  #spend(id: string | undefined): boolean {
    if (this.#bucket!.take(this.#hub.now())) return true;
    this.error('rate_limited', 'rate limited: slow down', id);
    return false;
  }

  /** Its seat came (see {@link Hub.seatNow}): the held `hello`, then what followed it. */
  seat(): void {
    const held = this.#held;
    if (!held) return;
    this.#held = undefined;
    if (this.#state !== 'open') return;
    this.#socket.resume();
    this.guard(() => {
      this.#hello(held.hello);
      for (const frame of held.after) {
        // A second `hello` after a refused one may have to wait again: the rest waits with it.
        if (this.#held) this.#held.after.push(frame);
        else this.handle(frame);
      }
    });
  }

  #hello(frame: HelloFrame): void {
    const hub = this.#hub;
    const config = hub.config;
    if (frame.protocol !== PROTOCOL_VERSION) {
      this.error(
        'protocol_unsupported',
        `this server speaks protocol ${PROTOCOL_VERSION}, not ${frame.protocol}`,
      );
      return;
    }
    if (config.password !== undefined && !samePassword(frame.password, config.password)) {
      this.error('auth_failed', 'wrong password');
      return;
    }
    const room = hub.room;
    // A reclaim keeps the member count; only a new name needs a free place.
    if (!room.reclaims(frame.name, frame.token) && room.localSize >= config.maxClients) {
      this.error('server_full', `the server is full (${config.maxClients} users)`);
      return;
    }
    this.#then(room.register(frame.name, this, frame.token), (result) => {
      this.#welcome(frame, result);
      if (this.#input instanceof PlainInput) this.#input.helloAnswered();
    });
  }

  #welcome(frame: HelloFrame, result: RegisterResult<Session>): void {
    const hub = this.#hub;
    const config = hub.config;
    const room = hub.room;
    if (!result.ok) {
      this.error(result.code, result.message);
      return;
    }
    const member = result.member;
    this.#member = member;
    this.#bucket = new TokenBucket(config.ratePerSec, config.rateBurst, hub.now());
    this.#output.startAt(hub.batchPosition());
    hub.doneWaiting(this);
    if (result.replaced) result.replaced.#replacedBy(this);
    const welcome = {
      type: 'welcome',
      protocol: PROTOCOL_VERSION,
      server: hub.serverName,
      name: member.name,
      token: member.identity.token,
      seq: room.seq,
      epoch: room.epoch,
      limits: {
        maxText: LIMITS.maxTextChars,
        maxFrame: LIMITS.maxClientFrameBytes,
        ratePerSec: config.ratePerSec,
        rateBurst: config.rateBurst,
      },
      ...(config.motd !== undefined ? { motd: config.motd } : {}),
    } as const;
    if (this.#mode === 'plain')
      this.send({ ...welcome, users: room.list.page(0), userCount: room.size });
    else this.#output.push(room.list.welcomeJson(welcome), this.#at());
    // A `since` counted in another epoch (wiped data, a memory-only restart) means nothing
    // here: that client gets the fresh replay a new client gets, and sees the new epoch.
    if (frame.since !== undefined && (frame.epoch === undefined || frame.epoch === room.epoch))
      this.#replay(room.replay(member, frame.since));
    else {
      const recent = this.#mode === 'plain' ? PLAIN_REPLAY_EVENTS : LIMITS.historyDefaultLimit;
      this.#replay(room.history(member, Infinity, recent));
    }
    hub.log.info(result.replaced ? 'reclaim' : 'register', {
      conn: this.id,
      name: member.name,
      mode: this.#mode,
      users: room.size,
    });
    if (!result.replaced) hub.announceJoin(member);
  }

  /**
   * Goes on with the room's answer: at once when it is a value; when it is a promise, after it
   * settles, with the frames read meanwhile handled after it, in order.
   */
  #then<T>(answer: T | Promise<T>, next: (value: T) => void): void {
    if (!(answer instanceof Promise)) {
      next(answer);
      return;
    }
    this.#awaiting = [];
    answer
      .then(
        (value) => {
          if (this.#state === 'open') this.guard(() => next(value));
        },
        (err: unknown) => {
          this.guard(() => {
            throw err;
          });
        },
      )
      .finally(() => {
        const frames = this.#awaiting ?? [];
        this.#awaiting = undefined;
        if (frames.length >= MAX_AWAITING_FRAMES && this.#state === 'open') this.#socket.resume();
        this.guard(() => {
          for (let i = 0; i < frames.length; i++) {
            if (this.#awaiting) {
              this.#awaiting.push(...frames.slice(i));
              return;
            }
            this.handle(frames[i]!);
          }
        });
      })
      .catch(() => {});
  }

  /** Streams replayed events as the socket takes them, then `history_end`. */
  #replay(batch: HistoryBatch): void {
    const first = batch.entries[0];
    const end: ServerFrame = first
      ? { type: 'history_end', more: batch.more, before: first.event.seq }
      : { type: 'history_end', more: batch.more };
    this.#output.pushReplay(batch.entries, this.#encodeFrame(end), this.#at());
  }

  /** On the stale session whose name a new connection reclaimed with its token. */
  #replacedBy(next: Session): void {
    this.#member = undefined;
    this.#output.stopAt(this.#hub.batchPosition());
    this.#hub.log.info('replaced', { conn: this.id, by: next.id });
    this.error('replaced', 'your name was reclaimed by a new connection with your token');
  }

  /**
   * A shared room took the member away without a leave: its token reclaimed the name on
   * another server (`replaced`), or the other servers took this server's members over when
   * it lost Redis for too long (`lost`: the client reconnects and joins again).
   */
  dropMember(why: 'replaced' | 'lost'): void {
    if (!this.#member) return;
    this.#member = undefined;
    this.#output.stopAt(this.#hub.batchPosition());
    this.#hub.log.info(why, { conn: this.id });
    if (why === 'replaced')
      this.error('replaced', 'your name was reclaimed by a new connection with your token');
    else this.error('shutdown', 'this server lost its place in the room: reconnect');
  }

  // ------------------------------------------------------------------ lifecycle

  /**
   * Ends the session, once: the member (if any) leaves with the reason's `leave`, input and
   * timers stop, and the socket closes as the reason says. Everything that ends a session
   * comes through here.
   */
  end(reason: EndReason): void {
    if (this.#state !== 'open') return;
    this.#state = 'closing';
    this.#held = undefined;
    const ending = ENDINGS[reason];
    this.#clearPrompt();
    this.#input?.dispose();
    // Decoder buffers go now, not when the socket object is collected.
    this.#input = undefined;
    const hub = this.#hub;
    hub.doneWaiting(this);
    const member = this.#member;
    if (member) {
      hub.beforeAct(member);
      this.#member = undefined;
      this.#output.stopAt(hub.batchPosition());
      hub.room.leave(member, ending.leave);
      hub.log.info('leave', { conn: this.id, name: member.name, reason: ending.leave });
    }
    const socket = this.#socket;
    switch (ending.close) {
      case 'graceful':
        this.#output.close();
        break;
      case 'destroy':
        this.#output.dispose();
        socket.destroy();
        return;
      case 'abandon':
        hub.log.info('slow consumer', { conn: this.id, pending: this.#output.pendingBytes });
        this.#output.abandon(
          encodeFrameString({
            type: 'error',
            code: 'slow_consumer',
            message: 'you were reading too slowly and were disconnected',
            fatal: true,
          }),
        );
        break;
    }
    this.#closeTimer = setTimeout(destroySocket, CLOSE_GRACE_MS, socket);
    this.#closeTimer.unref();
  }

  /** Shutdown: no leave is announced (the room is cleared), everyone gets the notice. */
  shutdown(): void {
    this.#member = undefined;
    if (this.#state !== 'open') return;
    this.send({ type: 'notice', text: 'the server is shutting down' });
    this.error('shutdown', 'the server is shutting down');
  }

  /** Too many unregistered connections: this one, the oldest, makes room. */
  evict(): void {
    this.error('too_many_connections', 'too many connections are waiting to register');
  }

  /** Idle pings, the idle timeout and the registration deadline; called by the hub's sweep. */
  tick(now: number): void {
    if (this.#state !== 'open') return;
    const config = this.#hub.config;
    if (!this.#member) {
      if (now - this.connectedAt > config.registerTimeoutMs) {
        this.#hub.log.info('registration timeout', { conn: this.id });
        this.end('timeout');
      }
      return;
    }
    // A person at `nc` cannot answer pings: plain sessions rely on TCP keep-alive instead.
    if (this.#mode === 'plain') return;
    const silent = now - this.#lastRecv;
    if (silent > config.idleTimeoutMs) this.end('timeout');
    else if (silent > config.idlePingMs && !this.#pinged) {
      this.#pinged = true;
      this.send({ type: 'ping' });
    }
  }

  /** Writes this turn's output (called by the hub once per turn). */
  flush(
    turn: number,
    batch: readonly HistoryEntry[],
    json: Buffer | undefined,
    plain: Buffer | undefined,
  ): void {
    const shared = this.#mode === 'plain' ? plain : json;
    this.#output.flush(turn, batch, shared, this.#member !== undefined);
  }

  /** Drops the connection now (shutdown grace over). */
  destroy(): void {
    this.#socket.destroy();
  }

  #prompt(): void {
    this.#promptTimer = undefined;
    if (this.#input !== undefined || this.#state !== 'open') return;
    this.sendLine('-- welcome to ciao! Type your name and press Enter:');
  }

  #clearPrompt(): void {
    if (this.#promptTimer) clearTimeout(this.#promptTimer);
    this.#promptTimer = undefined;
  }

  /** The socket closed: end (if nothing did yet) and let the hub forget the session. */
  #closed(reason: EndReason): void {
    this.end(reason);
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    // A pending timer would keep the socket, and all it holds, alive for the grace.
    if (this.#closeTimer) clearTimeout(this.#closeTimer);
    this.#closeTimer = undefined;
    this.#output.dispose();
    this.#hub.forget(this);
    this.#hub.log.info('disconnect', { conn: this.id });
  }

  // ------------------------------------------------------------------ output

  /** Queues an error; a fatal one ends the session. */
  error(code: ErrorCode, message: string, id?: string): void {
    const fatal = FATAL_ERROR_CODES.has(code);
    this.send({
      type: 'error',
      code,
      message,
      ...(id !== undefined ? { id } : {}),
      ...(fatal ? { fatal: true as const } : {}),
    });
    const log = this.#hub.log;
    if (fatal) {
      log.info('fatal error', { conn: this.id, code, message });
      this.end('fatal');
    } else if (log.enabled('debug')) {
      log.debug('error', { conn: this.id, code, message });
    }
  }

  /** Queues one frame for this connection only. */
  send(frame: ServerFrame): void {
    this.#output.push(this.#encodeFrame(frame), this.#at());
  }

  /** Queues a text line as is (plain-text prompts). */
  sendLine(line: string): void {
    this.#output.push(line + '\n', this.#at());
  }

  /** Queues a room event for this connection only (a `dm` to one of its ends). */
  deliver(entry: HistoryEntry): void {
    this.#output.push(this.#encode(entry, false), this.#at());
  }

  // OutputOwner: what this session's output asks of it.
  encodeEntry(entry: HistoryEntry, replay: boolean): string {
    return this.#encode(entry, replay);
  }
  outputWanted(): void {
    this.#hub.wantFlush(this);
  }
  outputSlow(): void {
    this.end('slow_consumer');
  }

  #encode(entry: HistoryEntry, replay: boolean): string {
    const hub = this.#hub;
    if (this.#mode === 'plain') return hub.encodePlain(entry);
    return replay ? hub.encodeReplay(entry) : hub.encodeJson(entry);
  }

  #encodeFrame(frame: ServerFrame): string {
    if (this.#mode !== 'plain') return encodeFrameString(frame);
    const lines = renderPlain(frame);
    return lines.length > 0 ? lines.join('\n') + '\n' : '';
  }

  #at(): number {
    return this.#hub.batchPosition();
  }

  // Socket events, reached through the module-level listeners below.
  static onData(socket: Socket, chunk: Buffer): void {
    sessionOf(socket).receive(chunk);
  }
  static onError(socket: Socket, err: Error): void {
    const session = sessionOf(socket);
    const log = session.#hub.log;
    if (log.enabled('debug'))
      log.debug('socket error', {
        conn: session.id,
        code: (err as NodeJS.ErrnoException).code,
        error: err.message,
      });
    session.end('reset');
  }
  static onEnd(socket: Socket): void {
    // The peer finished sending: whatever it left pending counts (a last line with no newline).
    const session = sessionOf(socket);
    if (session.#state === 'open') session.guard(() => session.#input?.end());
    session.end('quit');
  }
  static onClose(socket: Socket): void {
    sessionOf(socket).#closed('closed');
  }
  static onDrain(socket: Socket): void {
    sessionOf(socket).#output.drained();
  }
  static onPrompt(session: Session): void {
    session.#prompt();
  }
}

function sessionOf(socket: Socket): Session {
  return (socket as SocketWithSession).ciaoSession!;
}

// Socket listeners are shared functions that find their session through the socket, not
// closures made per connection.
function onData(this: Socket, chunk: Buffer): void {
  Session.onData(this, chunk);
}
function onError(this: Socket, err: Error): void {
  Session.onError(this, err);
}
function onEnd(this: Socket): void {
  Session.onEnd(this);
}
function onClose(this: Socket): void {
  Session.onClose(this);
}
function onDrain(this: Socket): void {
  Session.onDrain(this);
}
function onPromptTimer(session: Session): void {
  Session.onPrompt(session);
}
function destroySocket(socket: Socket): void {
  if (!socket.destroyed) socket.destroy();
}

function isSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

function samePassword(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
