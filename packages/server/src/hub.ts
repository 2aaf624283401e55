import type { Socket } from 'node:net';
import type { ServerFrame } from '@ciao/protocol';
import { encodeFrameString, renderPlain } from '@ciao/protocol';
import type { ServerConfig } from './config.js';
import type { Logger } from './log.js';
import type { HistoryEntry, Member, RoomPort, RoomSink } from './room.js';
import { Room } from './room.js';
import { encodeBatch } from './encode-batch.js';
import { JoinBatch } from './join-batch.js';
import { SeatQueue } from './seat-queue.js';
import { Session } from './session.js';
import type { RoomLog } from './store/room-log.js';

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

/**
 * The room plus every connection, and the output path between them. A broadcast is encoded
 * once and queued in a shared batch; once per event-loop turn (setImmediate, after all the
 * input of that turn was read) the batch is concatenated once and the same Buffer is written
 * to every member, merged with whatever that member has privately pending. So the cost of a
 * broadcast is one encode, and each socket sees one write per turn however many messages.
 */
export class Hub implements RoomSink<Session> {
  readonly room: RoomPort<Session>;
  readonly sessions = new Set<Session>();
  readonly serverName: string;
  #batch: HistoryEntry[] = [];
  #dirty: Session[] = [];
  #scheduled = false;
  /** When the last flush ended and the CPU ms it took (see #schedule). */
  #lastFlushEnd = 0;
  #lastFlushCost = 0;
  /** Registered members whose `join` waits for the next batch (see {@link announceJoin}). */
  readonly #joins = new JoinBatch<Member<Session>>(JOIN_BATCH_MS);
  #joinTimer: NodeJS.Timeout | undefined;
  /** JSON `hello`s beyond this turn's seats (`config.seatsPerTurn`), waiting for the next turns. */
  readonly #seats: SeatQueue<Session>;
  #seatTurn = false;
  #nextId = 1;
  /** Flushes so far: a session written in this one is not written again by it. */
  #turn = 0;
  #plainCount = 0;
  /** Connections that have not registered, oldest first: in all, and by remote address. */
  readonly #waiting = new Set<Session>();
  readonly #waitingFrom = new Map<string, Set<Session>>();
  #capsCheck = false;
  #sweepTimer: NodeJS.Timeout | undefined;
  shuttingDown = false;

  constructor(
    readonly config: ServerConfig,
    readonly log: Logger,
    serverName: string,
    room: RoomLog | ((sink: RoomSink<Session>) => RoomPort<Session>),
  ) {
    this.serverName = serverName;
    this.room = typeof room === 'function' ? room(this) : new Room<Session>({ log: room }, this);
    this.#seats = new SeatQueue<Session>(config.seatsPerTurn);
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
    const session = new Session(this.#nextId++, socket, this, this.now(), promptDelayMs);
    const address = session.remoteAddress;
    this.sessions.add(session);
    this.#waiting.add(session);
    const from = this.#waitingFrom.get(address);
    if (from) from.add(session);
    else this.#waitingFrom.set(address, new Set([session]));
    if (
      this.#waiting.size > this.config.maxUnregistered ||
      this.#waitingFrom.get(address)!.size > this.config.maxUnregisteredPerAddress
    )
      this.#checkCapsSoon();
    return session;
  }

  /**
   * Unregistered connections are capped per remote address and in all: past a cap, the oldest
   * waiting ones (from that address, or overall) are closed with `too_many_connections`, so
   * someone who says hello at once always gets in. Checked after this turn's input was read
   * (setImmediate), and only connections that have waited `waitingGraceMs` are closed: a
   * crowd connecting at once from one address (a NAT, a bench) has time to say hello.
   */
  #checkCapsSoon(): void {
    if (this.#capsCheck) return;
    this.#capsCheck = true;
    setImmediate(checkCaps, this);
  }

  checkCaps(): void {
    this.#capsCheck = false;
    const { maxUnregistered, maxUnregisteredPerAddress, waitingGraceMs } = this.config;
    const old = this.now() - waitingGraceMs;
    const evictOldest = (set: Set<Session>, cap: number): void => {
      for (let s = first(set); set.size > cap && s && s.connectedAt <= old; s = first(set))
        s.evict();
    };
    for (const from of this.#waitingFrom.values()) evictOldest(from, maxUnregisteredPerAddress);
    evictOldest(this.#waiting, maxUnregistered);
  }

  /** The session registered or is ending: it no longer counts as waiting. */
  doneWaiting(session: Session): void {
    if (!this.#waiting.delete(session)) return;
    const address = session.remoteAddress;
    const from = this.#waitingFrom.get(address);
    if (from?.delete(session) && from.size === 0) this.#waitingFrom.delete(address);
  }

  /** Unregistered connections right now (for tests and the bench). */
  get waiting(): number {
    return this.#waiting.size;
  }

  /** The socket of a session is closed: forget it. */
  forget(session: Session): void {
    if (!this.sessions.delete(session)) return;
    this.doneWaiting(session);
    if (session.mode === 'plain') this.#plainCount--;
  }

  plainStarted(): void {
    this.#plainCount++;
  }

  /** Idle pings, timeouts and the registration deadline, for every connection in one pass. */
  sweep(): void {
    const now = this.now();
    for (const s of this.sessions) s.tick(now);
    if (this.#waiting.size > 0) this.#checkCapsSoon();
  }

  // ------------------------------------------------------------------ seating

  /**
   * A session has a `hello` to handle: true when it may be seated now; otherwise it waits
   * and the hub calls its `seat()` in a later turn, in arrival order.
   */
  seatNow(session: Session): boolean {
    const now = this.#seats.offer(session);
    if (!this.#seatTurn) {
      this.#seatTurn = true;
      setImmediate(seatWaiting, this);
    }
    return now;
  }

  /** A new turn: frees the seats and seats the next waiting sessions. */
  seatWaiting(): void {
    this.#seatTurn = false;
    for (const session of this.#seats.turn()) session.seat();
    if (this.#seats.busy && !this.#seatTurn) {
      this.#seatTurn = true;
      setImmediate(seatWaiting, this);
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
    session.deliver(entry);
  }

  drop(session: Session, why: 'replaced' | 'lost'): void {
    session.dropMember(why);
  }

  lost(session: Session, id: string): void {
    session.error('unavailable', 'the room lost this message with its store: send it again', id);
  }

  notice(text: string): void {
    for (const member of this.room.members()) member.conn.send({ type: 'notice', text });
  }

  /** A session has output of its own this turn (it asks once per turn). */
  wantFlush(session: Session): void {
    this.#dirty.push(session);
    this.#schedule();
  }

  encodeJson(entry: HistoryEntry): string {
    return (entry.json ??= encodeFrameString(entry.event));
  }

  encodeReplay(entry: HistoryEntry): string {
    // The stored line with `"replay":true` spliced in before its closing brace: the text
    // `encodeFrameString({ ...event, replay: true })` would make, without encoding again.
    return (entry.replayJson ??= this.encodeJson(entry).slice(0, -2) + REPLAY_TAIL);
  }

  encodePlain(entry: HistoryEntry): string {
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
    const turn = ++this.#turn;
    // Durable before anyone sees it: a crash can lose only events nobody was sent.
    this.room.commit();
    const batch = this.#batch;
    const dirty = this.#dirty;
    this.#batch = [];
    this.#dirty = [];
    if (batch.length > 0) {
      const json = encodeBatch(batch, (e) => this.encodeJson(e), encodeFrameString);
      const plain =
        this.#plainCount > 0
          ? encodeBatch(batch, (e) => this.encodePlain(e), encodePlainFrame)
          : undefined;
      for (const member of this.room.members()) member.conn.flush(turn, batch, json, plain);
    }
    // Private output not written above (non-members; everyone when nothing was broadcast).
    for (const s of dirty) s.flush(turn, batch, undefined, undefined);
  }

  // ------------------------------------------------------------------ shutdown

  /** Tells everyone, closes every connection; resolves when all are closed (or destroyed). */
  async shutdown(graceMs: number): Promise<void> {
    this.shuttingDown = true;
    if (this.#sweepTimer) clearInterval(this.#sweepTimer);
    if (this.#joinTimer) clearTimeout(this.#joinTimer);
    this.#joins.clear();
    this.#seats.clear();
    this.room.clear();
    for (const s of this.sessions) s.shutdown();
    this.flush();
    if (this.sessions.size === 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        for (const s of this.sessions) s.destroy();
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

const REPLAY_TAIL = ',"replay":true}\n';

function encodePlainFrame(frame: ServerFrame): string {
  return renderPlain(frame).join('\n') + '\n';
}

function announceJoins(hub: Hub): void {
  hub.announceJoins();
}

function seatWaiting(hub: Hub): void {
  hub.seatWaiting();
}

function flushHub(hub: Hub): void {
  hub.flush();
}

function checkCaps(hub: Hub): void {
  hub.checkCaps();
}

function first(set: Set<Session>): Session | undefined {
  return set.values().next().value;
}
