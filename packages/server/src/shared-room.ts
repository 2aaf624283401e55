import { randomBytes } from 'node:crypto';
import type { ChatEvent, LeaveReason } from '@ciao/protocol';
import { checkText, nameKey, validateName } from '@ciao/protocol';
import { MemberList } from './member-list.js';
import { nameSkeletons } from './name-skeletons.js';
import type {
  Duplicate,
  Failure,
  HistoryBatch,
  Identity,
  Member,
  NickResult,
  PostResult,
  RegisterResult,
  RoomPort,
  RoomSink,
} from './room.js';
import { quote, readHistory, readReplay } from './room.js';
import type { HistoryEntry } from './store/room-log.js';
import { RecentRing } from './store/recent-ring.js';
import type { RedisStore, RestoreSource, StreamRecord } from './store/redis-store.js';
import { RESTORE_GATE_MS } from './store/redis-store.js';

/**
 * One room served by several servers through Redis ({@link RedisStore}). Requests that change
 * the room go to Redis and are answered after a round trip; the events they create come back
 * to every server, this one included, through the stream, and are delivered here in seq
 * order, so every member on every server sees one order. Each server keeps a copy of the
 * retained stream (history and replays are memory reads) and a view of who is in the room,
 * both built from the stream alone.
 */

interface Present {
  name: string;
  key: string;
}

/** Entries as the stream gives them: with whose join/leave/nick it is and who sent it. */
interface SharedEntry extends HistoryEntry {
  readonly subject?: number;
  readonly sender?: number;
}

const UNAVAILABLE = {
  ok: false,
  code: 'unavailable',
  message: 'the room cannot be reached right now: nothing was sent, try again shortly',
} as const satisfies Failure<'unavailable'>;
const GONE = {
  ok: false,
  code: 'replaced',
  message: 'your name is now held by another connection with your token',
} as const satisfies Failure<'replaced'>;

export class SharedRoom<C> implements RoomPort<C> {
  readonly #store: RedisStore;
  readonly #sink: RoomSink<C>;
  readonly #newToken: () => string;
  #epoch = '';
  /** The retained stream, as read. */
  readonly #ring: RecentRing;
  #head = 0;
  /** Everyone in the room, on every server: by identity, and their names in join order. */
  readonly #present = new Map<number, Present>();
  readonly #byKey = new Map<string, number>();
  readonly #list = new MemberList();
  /** Members connected here, by identity (join order). */
  readonly #local = new Map<number, Member<C>>();
  /** Reclaims done on this server whose `replace` record has not been read yet. */
  readonly #reclaimedHere = new Map<number, number>();
  /** Leaves Redis could not take yet (it was unreachable): sent again when it is back. */
  readonly #leaves: { identity: number; reason: LeaveReason }[] = [];
  #maxIdentity = 0;
  /**
   * Posts Redis accepted whose event has not been read yet, by seq. Redis may fail between
   * the two (and come back empty): then the event at that seq is someone else's, or never
   * comes, and the sender is told to send it again (see {@link #settleLost}).
   */
  readonly #unread = new Map<number, { conn: C; identity: number; id: string }>();

  constructor(
    store: RedisStore,
    sink: RoomSink<C>,
    options: { historySize: number; newToken?: () => string },
  ) {
    this.#store = store;
    this.#sink = sink;
    this.#ring = new RecentRing(options.historySize);
    this.#newToken = options.newToken ?? (() => randomBytes(18).toString('base64url'));
  }

  /** Connects and reads the room: its members and retained history. */
  async start(): Promise<void> {
    const state = await this.#store.start(randomBytes(8).toString('hex'), {
      onRecords: (records) => this.#read(records),
      onDown: () =>
        this.#sink.notice?.(
          'the room store cannot be reached: new messages are refused until it returns',
        ),
      onUp: (restored) => {
        void this.#retryLeaves();
        // Other servers write back what they held until the gate closes: after it, a post
        // accepted before the failure and still unread is gone.
        if (restored) {
          const before = new Set(this.#unread.keys());
          setTimeout(() => this.#settleLost(before), RESTORE_GATE_MS + 500).unref();
        }
        this.#sink.notice?.(
          restored
            ? 'the room store is back (it had restarted; history was restored)'
            : 'the room store is back',
        );
      },
      onLost: () => {
        for (const member of [...this.#local.values()]) {
          this.#forget(member);
          this.#sink.drop?.(member.conn, 'lost');
        }
      },
      restoreSource: () => this.#restoreSource(),
    });
    this.#epoch = state.epoch;
    for (const m of state.members) this.#add(m.identity, m.name);
    for (const record of state.records) {
      if (record.kind !== 'event') continue;
      const entry = toEntry(record);
      this.#ring.put(entry);
      this.#head = record.seq;
      // The member list is as of `state.seq`: later presence events change it.
      if (record.seq > state.seq) this.#applyPresence(entry);
      if (entry.ends) this.#maxIdentity = Math.max(this.#maxIdentity, ...entry.ends);
    }
    this.#head = Math.max(this.#head, state.seq);
  }

  get seq(): number {
    return this.#head;
  }

  get epoch(): string {
    return this.#epoch;
  }

  get size(): number {
    return this.#present.size;
  }

  get localSize(): number {
    return this.#local.size;
  }

  get list(): MemberList {
    return this.#list;
  }

  members(): IterableIterator<Member<C>> {
    return this.#local.values();
  }

  reclaims(name: string, token: string | undefined): boolean {
    if (token === undefined) return false;
    const identity = this.#byKey.get(nameKey(name));
    return identity !== undefined && this.#local.get(identity)?.identity.token === token;
  }

  async register(name: string, conn: C, token?: string): Promise<RegisterResult<C>> {
    const check = validateName(name);
    if (!check.ok)
      return { ok: false, code: 'name_invalid', message: `invalid name: ${check.reason}` };
    const key = nameKey(name);
    const looks = nameSkeletons(name);
    const reply = await this.#store.register(name, key, looks, token, this.#newToken());
    switch (reply.kind) {
      case 'unavailable':
        return UNAVAILABLE;
      case 'taken':
        return nameTaken(name, reply);
      case 'reclaim': {
        const here = this.#local.get(reply.identity);
        if (here) {
          // Its `replace` record is for this server: the swap is done now, not when it is read.
          this.#reclaimedHere.set(
            reply.identity,
            (this.#reclaimedHere.get(reply.identity) ?? 0) + 1,
          );
          const replaced = here.conn;
          here.conn = conn;
          return { ok: true, member: here, replaced };
        }
        const current = this.#present.get(reply.identity);
        return {
          ok: true,
          member: this.#seat(reply.identity, reply.token, current?.name ?? name, conn),
        };
      }
      case 'joined':
        return { ok: true, member: this.#seat(reply.identity, reply.token, name, conn) };
    }
  }

  /** The join was appended with the claim (`register`): it reaches everyone through the stream. */
  announceJoin(): void {}

  leave(member: Member<C>, reason: LeaveReason): void {
    if (!this.#forget(member)) return;
    void this.#sendLeave(member.identity.id, reason);
  }

  /** Shutdown: members stay in Redis, so their clients can reclaim their names on another server
   *  (or are reaped with one leave when they do not). */
  clear(): void {
    for (const member of this.#local.values()) member.identity.member = undefined;
    this.#local.clear();
  }

  commit(): void {}

  async say(member: Member<C>, text: string, id?: string, action?: boolean): Promise<PostResult> {
    const check = checkText(text);
    if (!check.ok) return check;
    const reply = await this.#store.post(
      member.identity.id,
      'message',
      {
        from: member.name,
        text: check.text,
        ...(id !== undefined ? { id } : {}),
        ...(action ? { action: true } : {}),
      },
      id,
    );
    return this.#posted(reply, member, id);
  }

  async dm(member: Member<C>, to: string, text: string, id?: string): Promise<PostResult> {
    const targetId = this.#byKey.get(nameKey(to));
    const target = targetId === undefined ? undefined : this.#present.get(targetId);
    if (targetId === undefined || !target)
      return { ok: false, code: 'no_such_user', message: `nobody called ${quote(to)} is here` };
    const check = checkText(text);
    if (!check.ok) return check;
    const reply = await this.#store.post(
      member.identity.id,
      'dm',
      { from: member.name, to: target.name, text: check.text, ...(id !== undefined ? { id } : {}) },
      id,
      { key: target.key, identity: targetId },
    );
    if (reply.kind === 'no_such_user')
      return { ok: false, code: 'no_such_user', message: `nobody called ${quote(to)} is here` };
    return this.#posted(reply, member, id);
  }

  async nick(member: Member<C>, name: string): Promise<NickResult> {
    const check = validateName(name);
    if (!check.ok)
      return { ok: false, code: 'name_invalid', message: `invalid name: ${check.reason}` };
    if (name === member.name) return { ok: true, entry: undefined };
    const key = nameKey(name);
    const reply = await this.#store.nick(
      member.identity.id,
      member.name,
      name,
      key,
      nameSkeletons(name),
    );
    switch (reply.kind) {
      case 'unavailable':
        return UNAVAILABLE;
      case 'gone':
        return GONE;
      case 'taken':
        return nameTaken(name, reply);
      case 'ok':
        // The `nick` event renames it everywhere, this member too, when it is read.
        member.name = name;
        member.key = key;
        return { ok: true, entry: undefined };
    }
  }

  /** Redis checks `id`s (the post answers `duplicate`): nothing is known here beforehand. */
  duplicateOf(): Duplicate | undefined {
    return undefined;
  }

  history(member: Member<C>, before: number, limit: number): HistoryBatch {
    return readHistory(this.#source, member.identity.id, before, limit);
  }

  replay(member: Member<C>, since: number): HistoryBatch {
    return readReplay(this.#source, member.identity.id, since);
  }

  /** Stops reading; members stay in Redis for `keepMs` so they can move to another server. */
  close(keepMs: number): Promise<void> {
    return this.#store.close(keepMs);
  }

  // ------------------------------------------------------------------ internals

  readonly #source = {
    head: (): number => this.#head,
    scanBack: (before: number, after: number): Iterable<HistoryEntry> =>
      this.#ring.scanBack(before, after),
  };

  #posted(
    reply: Awaited<ReturnType<RedisStore['post']>>,
    member: Member<C>,
    id: string | undefined,
  ): PostResult {
    switch (reply.kind) {
      case 'ok':
        // The event reaches everyone, the sender too, through the stream.
        if (id !== undefined && reply.seq > this.#head)
          this.#unread.set(reply.seq, { conn: member.conn, identity: member.identity.id, id });
        return { ok: true, entry: undefined, duplicate: false };
      case 'duplicate':
        return { ok: true, entry: this.#ring.get(reply.seq), duplicate: true, seq: reply.seq };
      case 'gone':
        return GONE;
      case 'no_such_user':
        return { ok: false, code: 'no_such_user', message: 'nobody by that name is here' };
      case 'unavailable':
        return UNAVAILABLE;
    }
  }

  #seat(identityId: number, token: string, name: string, conn: C): Member<C> {
    const identity: Identity<C> = { id: identityId, token, member: undefined };
    const member: Member<C> = {
      name,
      key: nameKey(name),
      looks: nameSkeletons(name),
      identity,
      conn,
    };
    identity.member = member;
    this.#local.set(identityId, member);
    this.#maxIdentity = Math.max(this.#maxIdentity, identityId);
    return member;
  }

  /** Removes a local member (no event): false when it was not here any more. */
  #forget(member: Member<C>): boolean {
    const id = member.identity.id;
    if (this.#local.get(id) !== member) return false;
    this.#local.delete(id);
    member.identity.member = undefined;
    return true;
  }

  async #sendLeave(identity: number, reason: LeaveReason): Promise<void> {
    if (!(await this.#store.leave(identity, reason))) this.#leaves.push({ identity, reason });
  }

  async #retryLeaves(): Promise<void> {
    const leaves = this.#leaves.splice(0);
    for (const { identity, reason } of leaves) await this.#sendLeave(identity, reason);
  }

  /** Records from the stream, in order: keep, update who is here, deliver. */
  #read(records: readonly StreamRecord[]): void {
    for (const record of records) {
      if (record.kind === 'replace') {
        this.#replaced(record.server, record.identity);
        continue;
      }
      if (record.seq <= this.#head) continue;
      const entry = toEntry(record);
      const unread = this.#unread.get(record.seq);
      if (unread) {
        this.#unread.delete(record.seq);
        const event = entry.event;
        const mine =
          record.sender === unread.identity &&
          (event.type === 'message' || event.type === 'dm') &&
          event.id === unread.id;
        if (!mine) this.#sink.lost?.(unread.conn, unread.id);
      }
      this.#ring.put(entry);
      this.#head = record.seq;
      this.#applyPresence(entry);
      if (entry.ends) {
        const [a, b] = entry.ends;
        // A new identity must never take an id a kept dm names (see RESTORE's ident floor).
        this.#maxIdentity = Math.max(this.#maxIdentity, a, b);
        const first = this.#local.get(a);
        if (first) this.#sink.deliver(first.conn, entry);
        const second = a === b ? undefined : this.#local.get(b);
        if (second) this.#sink.deliver(second.conn, entry);
      } else this.#sink.broadcast(entry);
    }
  }

  /** Posts accepted before Redis failed and still unread once every server restored were lost. */
  #settleLost(before: ReadonlySet<number>): void {
    for (const [seq, unread] of this.#unread) {
      if (!before.has(seq)) continue;
      this.#unread.delete(seq);
      this.#sink.lost?.(unread.conn, unread.id);
    }
  }

  #replaced(server: string, identity: number): void {
    if (server !== this.#store.server) return;
    const pending = this.#reclaimedHere.get(identity);
    if (pending !== undefined) {
      if (pending <= 1) this.#reclaimedHere.delete(identity);
      else this.#reclaimedHere.set(identity, pending - 1);
      return;
    }
    const member = this.#local.get(identity);
    if (!member) return;
    this.#forget(member);
    this.#sink.drop?.(member.conn, 'replaced');
  }

  #applyPresence(entry: SharedEntry): void {
    const id = entry.subject;
    if (id === undefined) return;
    this.#maxIdentity = Math.max(this.#maxIdentity, id);
    const event = entry.event;
    switch (event.type) {
      case 'join':
        this.#add(id, event.name);
        break;
      case 'leave': {
        const present = this.#present.get(id);
        if (!present) break;
        this.#present.delete(id);
        if (this.#byKey.get(present.key) === id) this.#byKey.delete(present.key);
        this.#list.remove(present.name);
        break;
      }
      case 'nick': {
        const present = this.#present.get(id);
        if (!present) break;
        if (this.#byKey.get(present.key) === id) this.#byKey.delete(present.key);
        this.#list.rename(present.name, event.to);
        present.name = event.to;
        present.key = nameKey(event.to);
        this.#byKey.set(present.key, id);
        const local = this.#local.get(id);
        if (local && local.name !== event.to) {
          local.name = event.to;
          local.key = present.key;
          local.looks = nameSkeletons(event.to);
        }
        break;
      }
      default:
        break;
    }
  }

  #add(identity: number, name: string): void {
    if (this.#present.has(identity)) return;
    const key = nameKey(name);
    this.#present.set(identity, { name, key });
    this.#byKey.set(key, identity);
    this.#list.add(name);
    this.#maxIdentity = Math.max(this.#maxIdentity, identity);
  }

  #restoreSource(): RestoreSource {
    const ring = this.#ring;
    const local = this.#local;
    return {
      epoch: this.#epoch,
      head: this.#head,
      maxIdentity: this.#maxIdentity,
      *events() {
        const newestFirst = [...ring.scanBack(Infinity, 0)] as SharedEntry[];
        for (let i = newestFirst.length - 1; i >= 0; i--) {
          const entry = newestFirst[i]!;
          const event = entry.event;
          const id = (event.type === 'message' || event.type === 'dm') && event.id;
          yield {
            kind: 'event' as const,
            seq: event.seq,
            json: entry.json!.slice(0, -1),
            ...(entry.subject !== undefined ? { subject: entry.subject } : {}),
            ...(entry.ends ? { ends: entry.ends } : {}),
            ...(entry.sender !== undefined ? { sender: entry.sender } : {}),
            ...(id ? { id } : {}),
          };
        }
      },
      *members() {
        for (const m of local.values())
          yield {
            identity: m.identity.id,
            token: m.identity.token,
            name: m.name,
            key: m.key,
            looks: m.looks,
            joinSeq: 0,
          };
      },
    };
  }
}

function nameTaken(
  name: string,
  reply: { readonly holder: string; readonly lookAlike: boolean },
): Failure<'name_taken'> {
  return {
    ok: false,
    code: 'name_taken',
    message: reply.lookAlike
      ? `${name} looks like ${reply.holder}, who is here`
      : `the name ${reply.holder} is taken`,
  };
}

function toEntry(record: StreamRecord & { kind: 'event' }): SharedEntry {
  return {
    event: JSON.parse(record.json) as ChatEvent,
    // The stored text is the encoding: every server sends it as it is.
    json: record.json + '\n',
    ...(record.ends ? { ends: record.ends } : {}),
    ...(record.subject !== undefined ? { subject: record.subject } : {}),
    ...(record.sender !== undefined ? { sender: record.sender } : {}),
  };
}
