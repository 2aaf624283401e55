import type { Socket } from 'node:net';
import type { ServerFrame } from '@ciao/protocol';
import { encodeFrame, renderPlain } from '@ciao/protocol';
import type { ServerConfig } from './config.js';
import type { Logger } from './log.js';
import type { HistoryEntry, Member, RoomSink } from './room.js';
import { Room } from './room.js';
import { encodeBatch } from './encode-batch.js';
import { JoinBatch } from './join-batch.js';
import { Session } from './session.js';
import type { RoomLog } from './store/room-log.js';

/** How long a closing connection may take to read its last bytes before it is destroyed. */
const CLOSE_GRACE_MS = 2_000;
/** The longest a flush waits after an expensive one (bounds the latency it adds). */
const MAX_FLUSH_DELAY_MS = 50;
/**
 * After a flush that took T ms the next one waits T × this (see #schedule): the output path
 * has at most half the time, so under load more messages share each write (the kernel's
 * per-write cost is most of a delivery's), while a calm room still flushes at once.
 */
const FLUSH_PAUSE = 1;
/**
 * Joins within this long of the last announced one wait and are announced together, as one
 * `joins` frame in one write per member: a storm of N joins costs each member N/storm-length
 * writes per second instead of N.
 */
const JOIN_BATCH_MS = 50;

interface SocketWithSession extends Socket {
  ciaoSession?: Session;
}

/**
 * The room plus every connection, and the output path between them. A broadcast is encoded
 * once and queued in a shared batch; once per event-loop turn (setImmediate, after all the
 * input of that turn was read) the batch is concatenated once and the same Buffer is written
 * to every member, merged with whatever that member has privately pending. So the cost of a
 * broadcast is one encode, and each socket sees one write per turn however many messages.
 */
export class Hub implements RoomSink<Session> {
  readonly room: Room<Session>;
  readonly sessions = new Set<Session>();
  readonly serverName: string;
  #batch: HistoryEntry[] = [];
  #dirty: Session[] = [];
  #slow: Session[] = [];
  #scheduled = false;
  /** When the last flush ended and the CPU ms it took (see #schedule). */
  #lastFlushEnd = 0;
  #lastFlushCost = 0;
  /** Registered members whose `join` waits for the next batch (see {@link announceJoin}). */
  readonly #joins = new JoinBatch<Member<Session>>(JOIN_BATCH_MS);
  #joinTimer: NodeJS.Timeout | undefined;
  #nextId = 1;
  #plainCount = 0;
  #sweepTimer: NodeJS.Timeout | undefined;
  shuttingDown = false;

  constructor(
    readonly config: ServerConfig,
    readonly log: Logger,
    serverName: string,
    roomLog: RoomLog,
  ) {
    this.serverName = serverName;
    this.room = new Room<Session>({ log: roomLog }, this);
    const tick = Math.max(
      10,
      Math.min(
        1_000,
        config.idlePingMs / 4,
        config.idleTimeoutMs / 4,
        config.registerTimeoutMs / 4,
      ),
    );
    this.#sweepTimer = setInterval(() => this.sweep(), tick);
    this.#sweepTimer.unref();
  }

  now(): number {
    return Date.now();
  }

  /** Stops the sweep timer (a server that never started listening). */
  stopTimers(): void {
    if (this.#sweepTimer) clearInterval(this.#sweepTimer);
  }

  // ------------------------------------------------------------------ connections

  /**
   * Adopts an accepted socket (TCP, or TLS once its handshake is done). `promptDelayMs` is
   * shorter when the accept path already waited that long for a first byte.
   */
  accept(socket: Socket, promptDelayMs = this.config.plainPromptDelayMs): Session {
    const session = new Session(this.#nextId++, socket, this, this.now());
    (socket as SocketWithSession).ciaoSession = session;
    this.sessions.add(session);
    // No delay and keep-alive are set by the server on accept (server.ts).
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('end', onEnd);
    socket.on('close', onClose);
    // A person at `nc` sees something; a JSON client sends `hello` at once and never sees it.
    session.promptTimer = setTimeout(onPromptTimer, promptDelayMs, session);
    session.promptTimer.unref();
    return session;
  }

  /** Asks a person with no client for a name (PROTOCOL.md: plain-text sessions). */
  prompt(session: Session): void {
    session.promptTimer = undefined;
    if (session.input !== undefined || session.closing) return;
    session.sendLine('-- welcome to ciao! Type your name and press Enter:');
  }

  /** A socket is gone: the member (if any) leaves with the reason known, or `quit`. */
  closed(session: Session, reason: 'quit' | 'error'): void {
    if (!this.sessions.delete(session)) return;
    if (session.mode === 'plain' && session.input) this.#plainCount--;
    if (session.promptTimer) clearTimeout(session.promptTimer);
    session.input?.dispose();
    session.closing = true;
    if (session.member) session.leave(reason);
    this.log.info('disconnect', { conn: session.id, reason: session.leaveReason ?? reason });
  }

  plainStarted(): void {
    this.#plainCount++;
  }

  /** Ends a connection that has not closed by itself within the grace period. */
  destroyLater(session: Session): void {
    setTimeout(destroySession, CLOSE_GRACE_MS, session).unref();
  }

  /** Idle pings, timeouts and the registration deadline, for every connection in one pass. */
  sweep(): void {
    const now = this.now();
    const { idlePingMs, idleTimeoutMs, registerTimeoutMs } = this.config;
    for (const s of this.sessions) {
      if (s.closing) continue;
      if (!s.member) {
        if (now - s.connectedAt > registerTimeoutMs) {
          this.log.info('registration timeout', { conn: s.id });
          s.closing = true;
          s.socket.destroy();
        }
        continue;
      }
      // A person at `nc` cannot answer pings: plain sessions rely on TCP keep-alive instead.
      if (s.mode === 'plain') continue;
      const silent = now - s.lastRecv;
      if (silent > idleTimeoutMs) {
        s.leave('timeout');
        s.closing = true;
        s.socket.destroy();
      } else if (silent > idlePingMs && !s.pinged) {
        s.pinged = true;
        s.send({ type: 'ping' });
      }
    }
  }

  // ------------------------------------------------------------------ presence

  /**
   * Announces a member's join: at once when the room is calm, else with the other joins of
   * the next {@link JOIN_BATCH_MS} (the member is seated and receives everything meanwhile).
   */
  announceJoin(member: Member<Session>): void {
    const due = this.#joins.offer(member, performance.now());
    if (due === 'now') this.room.announceJoin(member);
    else this.#joinTimer ??= setTimeout(announceJoins, due, this);
  }

  /** Announces the waiting joins, in the order they registered (consecutive seqs). */
  announceJoins(): void {
    if (this.#joinTimer) clearTimeout(this.#joinTimer);
    this.#joinTimer = undefined;
    for (const member of this.#joins.take(performance.now())) this.room.announceJoin(member);
  }

  /** A member is about to act (say, dm, nick, leave): its join goes out first. */
  beforeAct(member: Member<Session>): void {
    if (this.#joins.holds(member)) this.announceJoins();
  }

  // ------------------------------------------------------------------ output

  /** Position in this turn's broadcast batch (what a member joining now starts from). */
  batchPosition(): number {
    return this.#batch.length;
  }

  broadcast(entry: HistoryEntry): void {
    this.#batch.push(entry);
    this.#schedule();
  }

  deliver(session: Session, entry: HistoryEntry): void {
    session.sendEntry(entry, false);
  }

  markDirty(session: Session): void {
    if (!session.dirty) {
      session.dirty = true;
      this.#dirty.push(session);
    }
    this.#schedule();
  }

  /** Over its output limit: the member leaves (`slow_consumer`) and the connection closes. */
  slowConsumer(session: Session): void {
    if (session.slow) return;
    session.slow = true;
    this.#slow.push(session);
    this.#schedule();
  }

  encodeJson(entry: HistoryEntry): Buffer {
    return (entry.json ??= encodeFrame(entry.event));
  }

  encodeReplay(entry: HistoryEntry): Buffer {
    // The stored line with `"replay":true` spliced in before its closing brace: the bytes
    // `encodeFrame({ ...event, replay: true })` would make, without encoding again.
    return (entry.replayJson ??= Buffer.concat([
      this.encodeJson(entry).subarray(0, -2),
      REPLAY_TAIL,
    ]));
  }

  encodePlain(entry: HistoryEntry): Buffer {
    return (entry.plain ??= encodePlainFrame(entry.event));
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    // A flush that took long (thousands of sockets) is followed by a pause as long, so that
    // under load more events share each write and reading input keeps half the time:
    // per-write cost, not per-delivery cost, is what a large room pays. When the room is
    // quiet, the last flush is long past and the next one goes out at once.
    const wait = Math.min(
      this.#lastFlushEnd + this.#lastFlushCost * FLUSH_PAUSE - performance.now(),
      MAX_FLUSH_DELAY_MS,
    );
    if (wait >= 1) setTimeout(flushHub, wait, this);
    else setImmediate(flushHub, this);
  }

  /** Writes everything queued this turn: one write per connection. */
  flush(): void {
    // The cost is the CPU the flush used, not the wall time: on a busy machine a flush that
    // was preempted midway would otherwise be followed by a pause as long as the preemption.
    const cpu0 = process.cpuUsage();
    this.#flush();
    const cpu = process.cpuUsage(cpu0);
    this.#lastFlushEnd = performance.now();
    this.#lastFlushCost = (cpu.user + cpu.system) / 1_000;
  }

  #flush(): void {
    this.#scheduled = false;
    this.#dropSlow();
    // Durable before anyone sees it: a crash can lose only events nobody was sent.
    this.room.commit();
    const batch = this.#batch;
    if (batch.length > 0) {
      this.#batch = [];
      const json = encodeBatch(batch, (e) => this.encodeJson(e), encodeFrame);
      const plain =
        this.#plainCount > 0
          ? encodeBatch(batch, (e) => this.encodePlain(e), encodePlainFrame)
          : undefined;
      for (const member of this.room.members()) {
        const s = member.conn;
        s.dirty = false;
        if (!s.flush(batch, s.mode === 'plain' ? plain : json, batch.length)) this.slowConsumer(s);
      }
    }
    // Private output not written above (non-members; everyone when nothing was broadcast):
    // a session's share of the batch ends where it left the room, else where it joined.
    for (const s of this.#dirty) {
      if (!s.dirty) continue;
      s.dirty = false;
      if (!s.flush(batch, undefined, s.batchEnd >= 0 ? s.batchEnd : s.batchStart))
        this.slowConsumer(s);
    }
    this.#dirty = [];
    this.#dropSlow();
  }

  #dropSlow(): void {
    if (this.#slow.length === 0) return;
    const slow = this.#slow;
    this.#slow = [];
    for (const s of slow) {
      if (s.socket.destroyed) continue;
      const pending = s.socket.writableLength + s.privBytes;
      s.priv = undefined;
      s.privAt = undefined;
      s.privBytes = 0;
      s.leave('slow_consumer');
      s.dirty = false;
      s.closing = true;
      this.log.info('slow consumer', { conn: s.id, pending });
      // Its buffer is full: the error goes after what is pending, and the socket is
      // destroyed if the peer does not take it soon.
      s.socket.end(
        encodeFrame({
          type: 'error',
          code: 'slow_consumer',
          message: 'you were reading too slowly and were disconnected',
          fatal: true,
        }),
      );
      this.destroyLater(s);
    }
  }

  // ------------------------------------------------------------------ shutdown

  /** Tells everyone, closes every connection; resolves when all are closed (or destroyed). */
  async shutdown(graceMs: number): Promise<void> {
    this.shuttingDown = true;
    if (this.#sweepTimer) clearInterval(this.#sweepTimer);
    if (this.#joinTimer) clearTimeout(this.#joinTimer);
    this.#joins.clear();
    this.room.clear();
    for (const s of this.sessions) {
      s.member = undefined;
      if (s.closing) continue;
      s.send({ type: 'notice', text: 'the server is shutting down' });
      s.error('shutdown', 'the server is shutting down');
    }
    this.flush();
    if (this.sessions.size === 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        for (const s of this.sessions) s.socket.destroy();
        resolve();
      }, graceMs);
      const check = setInterval(() => {
        if (this.sessions.size === 0) {
          clearTimeout(timer);
          clearInterval(check);
          resolve();
        }
      }, 10);
      timer.unref();
    });
  }
}

const REPLAY_TAIL = Buffer.from(',"replay":true}\n');

function encodePlainFrame(frame: ServerFrame): Buffer {
  return Buffer.from(renderPlain(frame).join('\n') + '\n', 'utf8');
}

function announceJoins(hub: Hub): void {
  hub.announceJoins();
}

function flushHub(hub: Hub): void {
  hub.flush();
}

function sessionOf(socket: Socket): Session {
  return (socket as SocketWithSession).ciaoSession!;
}

// Socket listeners are shared functions that find their session through the socket, not
// closures made per connection.
function onData(this: Socket, chunk: Buffer): void {
  sessionOf(this).receive(chunk);
}

function onError(this: Socket, err: Error): void {
  const session = sessionOf(this);
  const code = (err as NodeJS.ErrnoException).code;
  if (session.hub.log.enabled('debug'))
    session.hub.log.debug('socket error', { conn: session.id, code, error: err.message });
  session.hub.closed(session, 'error');
}

function onEnd(this: Socket): void {
  // The peer finished sending: whatever it left pending counts (a last line with no newline).
  const session = sessionOf(this);
  if (!session.closing) session.input?.end();
  session.leave('quit');
  session.closing = true;
  session.endAfterFlush = true;
  session.hub.markDirty(session);
}

function onClose(this: Socket): void {
  sessionOf(this).hub.closed(sessionOf(this), 'quit');
}

function onPromptTimer(session: Session): void {
  session.hub.prompt(session);
}

function destroySession(session: Session): void {
  if (!session.socket.destroyed) session.socket.destroy();
}
