import { randomBytes } from 'node:crypto';
import type { LeaveReason } from '@ciao/protocol';
import { MemberList } from './member-list.js';
import { nameSkeletons } from './name-skeletons.js';
import type { EventDraft, HistoryEntry, RoomLog } from './store/room-log.js';
import { checkText, codePointLength, nameKey, sanitize, validateName } from '@ciao/protocol';

/**
 * The chat room: members and their names, over a {@link RoomLog} that numbers and keeps the
 * events, the token identities and their `id` deduplication. No sockets and no timers:
 * sessions adapt a connection to it, and what it creates leaves through a {@link RoomSink}.
 */

export type { HistoryEntry } from './store/room-log.js';

/** A session's identity: what a `token` names. It outlives a connection (and, in a persistent
 *  log, the process), so a client that reconnects with its token keeps its dedupe window. */
export interface Identity<C> {
  /** The log's id for it (a `dm`'s ends name these). */
  readonly id: number;
  readonly token: string;
  /** The member currently holding this identity, if connected. */
  member: Member<C> | undefined;
}

export interface Member<C> {
  name: string;
  key: string;
  /** Confusable skeletons of the name (see `nameSkeletons`). */
  looks: readonly [string, string];
  readonly identity: Identity<C>;
  /** The connection the member is reached through (swapped when a token reclaims the name). */
  conn: C;
}

/** Where the room's events go. */
export interface RoomSink<C> {
  /** To every current member, in the order created. */
  broadcast(entry: HistoryEntry): void;
  /** To one connection (the ends of a `dm`). */
  deliver(conn: C, entry: HistoryEntry): void;
  /**
   * A shared room only: the connection no longer holds its member (`replaced`: its token
   * reclaimed the name on another server; `lost`: other servers took this server's members
   * over), so it ends without a leave.
   */
  drop?(conn: C, why: 'replaced' | 'lost'): void;
  /** A shared room only: tells every member something about the room's state (Redis faults). */
  notice?(text: string): void;
  /**
   * A shared room only: a message Redis accepted from this connection was lost with Redis
   * before any server read it: the sender is told `unavailable` with its `id`, to send it again.
   */
  lost?(conn: C, id: string): void;
}

/**
 * What sessions and the hub ask of a room: {@link Room} in one process, `SharedRoom` across
 * servers on Redis. A shared room answers requests that change the room after a round trip,
 * so those may return promises; a session handles its frames one at a time around them.
 */
export interface RoomPort<C> {
  readonly seq: number;
  readonly epoch: string;
  /** Members in the room (on every server). */
  readonly size: number;
  /** Members connected here (what `--max-clients` limits). */
  readonly localSize: number;
  readonly list: MemberList;
  /** Members connected here, in the order they joined. */
  members(): Iterable<Member<C>>;
  /** Whether `token` reclaims `name` here (a reclaim needs no free place). */
  reclaims(name: string, token: string | undefined): boolean;
  register(name: string, conn: C, token?: string): RegisterResult<C> | Promise<RegisterResult<C>>;
  announceJoin(member: Member<C>): void;
  leave(member: Member<C>, reason: LeaveReason): void;
  clear(): void;
  commit(): void;
  say(
    member: Member<C>,
    text: string,
    id?: string,
    action?: boolean,
  ): PostResult | Promise<PostResult>;
  dm(member: Member<C>, to: string, text: string, id?: string): PostResult | Promise<PostResult>;
  nick(member: Member<C>, name: string): NickResult | Promise<NickResult>;
  duplicateOf(member: Member<C>, id: string | undefined): Duplicate | undefined;
  history(member: Member<C>, before: number, limit: number): HistoryBatch;
  replay(member: Member<C>, since: number): HistoryBatch;
}

export type Failure<Code extends string> = {
  readonly ok: false;
  readonly code: Code;
  readonly message: string;
};

export type RegisterResult<C> =
  | {
      readonly ok: true;
      readonly member: Member<C>;
      /** The stale connection the name was taken from (token reclaim), to be told `replaced`. */
      readonly replaced?: C;
    }
  | Failure<'name_invalid' | 'name_taken' | 'unavailable'>;

export type PostResult =
  | {
      readonly ok: true;
      /** The event created, or for a duplicate the original (if still retained). */
      readonly entry: HistoryEntry | undefined;
      /** The `id` was seen before: nothing was created. */
      readonly duplicate: boolean;
      /** For a duplicate: the original's seq (answered with `delivered` when not retained). */
      readonly seq?: number;
    }
  | Failure<
      | 'text_empty'
      | 'text_too_long'
      | 'text_too_many_lines'
      | 'no_such_user'
      | 'unavailable'
      | 'replaced'
    >;

/**
 * What an `id` already sent in the window created: the event while the log still holds it,
 * else only its seq (answered with `delivered`).
 */
export type Duplicate =
  | { readonly kind: 'event'; readonly entry: HistoryEntry }
  | { readonly kind: 'delivered'; readonly seq: number };

export type NickResult =
  | { readonly ok: true; readonly entry: HistoryEntry | undefined }
  | Failure<'name_invalid' | 'name_taken' | 'unavailable' | 'replaced'>;

export interface HistoryBatch {
  /** Oldest first. */
  readonly entries: readonly HistoryEntry[];
  /**
   * For a page (`history`, the replay without `since`): older visible events exist. For a
   * replay after `since`: events after `since` are no longer held (a gap).
   */
  readonly more: boolean;
}

export interface RoomOptions {
  /** Where events, identities and dedupe windows are kept. */
  readonly log: RoomLog;
  readonly newToken?: () => string;
}

export class Room<C> implements RoomPort<C> {
  /** By name key, for lookups. */
  readonly #members = new Map<string, Member<C>>();
  /** By confusable skeleton: no two present names may look alike. */
  readonly #looks = new Map<string, Member<C>>();
  /** In join order (a rename keeps a member's place). */
  readonly #order = new Set<Member<C>>();
  /** The names in join order, with their encodings for `welcome` and `users`. */
  readonly #list = new MemberList();
  /** Identities held by a member now, by log id. */
  readonly #held = new Map<number, Identity<C>>();
  readonly #log: RoomLog;
  readonly #newToken: () => string;
  readonly #sink: RoomSink<C>;

  constructor(options: RoomOptions, sink: RoomSink<C>) {
    this.#log = options.log;
    this.#newToken = options.newToken ?? (() => randomBytes(18).toString('base64url'));
    this.#sink = sink;
  }

  /** Latest seq created (0 before the first event). */
  get seq(): number {
    return this.#log.head();
  }

  /** The log's identity (`welcome.epoch`). */
  get epoch(): string {
    return this.#log.epoch;
  }

  get size(): number {
    return this.#members.size;
  }

  get localSize(): number {
    return this.#members.size;
  }

  reclaims(name: string, token: string | undefined): boolean {
    return token !== undefined && this.find(name)?.identity.token === token;
  }

  /** Makes the events created so far durable (the hub calls it before writing them out). */
  commit(): void {
    this.#log.commit();
  }

  /** Members in the order they joined. */
  members(): IterableIterator<Member<C>> {
    return this.#order.values();
  }

  names(): string[] {
    return this.#list.all();
  }

  /** The member list as `welcome` and `users` send it (encoded once per change). */
  get list(): MemberList {
    return this.#list;
  }

  find(name: string): Member<C> | undefined {
    return this.#members.get(nameKey(name));
  }

  /**
   * Adds a member under `name`. A `token` matching the identity that holds the name reclaims it
   * from that (stale) connection: same member, new connection, no leave and no join. A token
   * the log remembers (a departed member, or one from before a restart) restores that
   * identity and its dedupe window. Call {@link announceJoin} after welcoming a member that is
   * not a reclaim.
   */
  register(name: string, conn: C, token?: string): RegisterResult<C> {
    const check = validateName(name);
    if (!check.ok)
      return { ok: false, code: 'name_invalid', message: `invalid name: ${check.reason}` };
    const key = nameKey(name);
    const holder = this.#members.get(key);
    if (holder) {
      if (token !== undefined && token === holder.identity.token) {
        const replaced = holder.conn;
        holder.conn = conn;
        return { ok: true, member: holder, replaced };
      }
      return taken(holder.name);
    }
    const looks = nameSkeletons(name);
    const twin = this.#lookAlike(name, looks, undefined);
    if (twin) return twin;
    let record = token === undefined ? undefined : this.#log.findIdentity(token);
    // A token whose identity is in use under another name does not get to share it.
    if (record && this.#held.has(record.id)) record = undefined;
    record ??= this.#log.createIdentity(this.#newToken());
    // Held by nobody here, but the log is the judge (a shared log: someone elsewhere).
    if (this.#log.claimName(key, record.id) !== record.id) return taken(name);
    const identity: Identity<C> = { id: record.id, token: record.token, member: undefined };
    const member: Member<C> = { name, key, looks, identity, conn };
    identity.member = member;
    this.#held.set(identity.id, identity);
    this.#members.set(key, member);
    this.#setLooks(member);
    this.#order.add(member);
    this.#list.add(name);
    return { ok: true, member };
  }

  /** Creates and broadcasts the `join` of a member just registered. */
  announceJoin(member: Member<C>): HistoryEntry {
    return this.#broadcast({ type: 'join', name: member.name });
  }

  /** Removes a member and announces its leave to the others. */
  leave(member: Member<C>, reason: LeaveReason): HistoryEntry | undefined {
    if (this.#members.get(member.key) !== member) return undefined;
    this.#members.delete(member.key);
    this.#deleteLooks(member);
    this.#order.delete(member);
    this.#list.remove(member.name);
    const identity = member.identity;
    identity.member = undefined;
    this.#held.delete(identity.id);
    this.#log.releaseName(member.key, identity.id);
    this.#log.released(identity.id);
    return this.#broadcast({ type: 'leave', name: member.name, reason });
  }

  /** Removes every member without announcing anything (shutdown). */
  clear(): void {
    for (const m of this.#order) {
      m.identity.member = undefined;
      this.#log.releaseName(m.key, m.identity.id);
      this.#log.released(m.identity.id);
    }
    this.#held.clear();
    this.#members.clear();
    this.#looks.clear();
    this.#order.clear();
    this.#list.clear();
  }

  /** A room message (`say`), deduplicated by `id`. */
  say(member: Member<C>, text: string, id?: string, action?: boolean): PostResult {
    const seen = this.#seen(member, id);
    if (seen) return seen;
    const check = checkText(text);
    if (!check.ok) return check;
    const draft: EventDraft = {
      type: 'message',
      from: member.name,
      text: check.text,
      ...(id !== undefined ? { id } : {}),
      ...(action ? { action: true as const } : {}),
    };
    const result = this.#log.append(draft, undefined, this.#dedupeKey(member, id));
    if (result.kind === 'duplicate') return this.#duplicate(result.seq);
    this.#sink.broadcast(result.entry);
    return { ok: true, entry: result.entry, duplicate: false };
  }

  /** A private message, delivered to both ends (once when they are the same member). */
  dm(member: Member<C>, to: string, text: string, id?: string): PostResult {
    const seen = this.#seen(member, id);
    if (seen) return seen;
    const target = this.#members.get(nameKey(to));
    if (!target)
      return { ok: false, code: 'no_such_user', message: `nobody called ${quote(to)} is here` };
    const check = checkText(text);
    if (!check.ok) return check;
    const draft: EventDraft = {
      type: 'dm',
      from: member.name,
      to: target.name,
      text: check.text,
      ...(id !== undefined ? { id } : {}),
    };
    const ends = [member.identity.id, target.identity.id] as const;
    const result = this.#log.append(draft, ends, this.#dedupeKey(member, id));
    if (result.kind === 'duplicate') return this.#duplicate(result.seq);
    this.#sink.deliver(member.conn, result.entry);
    if (target !== member) this.#sink.deliver(target.conn, result.entry);
    return { ok: true, entry: result.entry, duplicate: false };
  }

  /** Renames a member; a change of case only is allowed, the same name is a no-op. */
  nick(member: Member<C>, name: string): NickResult {
    const check = validateName(name);
    if (!check.ok)
      return { ok: false, code: 'name_invalid', message: `invalid name: ${check.reason}` };
    if (name === member.name) return { ok: true, entry: undefined };
    const key = nameKey(name);
    const holder = this.#members.get(key);
    if (holder && holder !== member) return taken(holder.name);
    const looks = nameSkeletons(name);
    const twin = this.#lookAlike(name, looks, member);
    if (twin) return twin;
    const id = member.identity.id;
    if (key !== member.key) {
      if (this.#log.claimName(key, id) !== id) return taken(name);
      this.#log.releaseName(member.key, id);
    }
    const from = member.name;
    this.#members.delete(member.key);
    this.#deleteLooks(member);
    this.#list.rename(from, name);
    member.name = name;
    member.key = key;
    member.looks = looks;
    this.#members.set(key, member);
    this.#setLooks(member);
    return { ok: true, entry: this.#broadcast({ type: 'nick', from, to: name }) };
  }

  /** The latest `limit` events before `before` that `member` may see (see {@link readHistory}). */
  history(member: Member<C>, before: number, limit: number, after = 0): HistoryBatch {
    return readHistory(this.#log, member.identity.id, before, limit, after);
  }

  /** Every held event after `since` that `member` may see (see {@link readReplay}). */
  replay(member: Member<C>, since: number): HistoryBatch {
    return readReplay(this.#log, member.identity.id, since);
  }

  /** What an earlier `say`/`dm` of this identity with this `id` created, within its window. */
  duplicateOf(member: Member<C>, id: string | undefined): Duplicate | undefined {
    const key = this.#dedupeKey(member, id);
    const seq = key && this.#log.duplicateOf(key);
    if (seq === undefined) return undefined;
    const entry = this.#log.get(seq);
    return entry ? { kind: 'event', entry } : { kind: 'delivered', seq };
  }

  #lookAlike(
    name: string,
    looks: readonly [string, string],
    self: Member<C> | undefined,
  ): Failure<'name_taken'> | undefined {
    for (const look of looks) {
      const twin = this.#looks.get(look);
      if (twin && twin !== self)
        return {
          ok: false,
          code: 'name_taken',
          message: `${name} looks like ${twin.name}, who is here`,
        };
    }
    return undefined;
  }

  #setLooks(member: Member<C>): void {
    for (const look of member.looks) this.#looks.set(look, member);
  }

  #deleteLooks(member: Member<C>): void {
    for (const look of member.looks) if (this.#looks.get(look) === member) this.#looks.delete(look);
  }

  #dedupeKey(member: Member<C>, id: string | undefined) {
    return id === undefined ? undefined : { identity: member.identity.id, id };
  }

  #seen(member: Member<C>, id: string | undefined): PostResult | undefined {
    const key = this.#dedupeKey(member, id);
    const seq = key && this.#log.duplicateOf(key);
    return seq === undefined ? undefined : this.#duplicate(seq);
  }

  #duplicate(seq: number): PostResult {
    return { ok: true, entry: this.#log.get(seq), duplicate: true, seq };
  }

  #broadcast(draft: EventDraft): HistoryEntry {
    const result = this.#log.append(draft);
    // Only a deduplicated append can be a duplicate.
    if (result.kind !== 'appended') throw new Error('the log refused an event without an id');
    this.#sink.broadcast(result.entry);
    return result.entry;
  }
}

/** What history is read from: a log, or a shared room's copy of the stream. */
export interface HistorySource {
  head(): number;
  scanBack(before: number, after: number): Iterable<HistoryEntry>;
}

function visible(entry: HistoryEntry, identity: number): boolean {
  return !entry.ends || entry.ends[0] === identity || entry.ends[1] === identity;
}

/** The latest `limit` events with `after < seq < before` that `identity` may see, oldest first. */
export function readHistory(
  source: HistorySource,
  identity: number,
  before: number,
  limit: number,
  after = 0,
): HistoryBatch {
  const picked: HistoryEntry[] = [];
  let more = false;
  for (const entry of source.scanBack(before, after)) {
    if (!visible(entry, identity)) continue;
    if (picked.length >= limit) {
      more = true;
      break;
    }
    picked.push(entry);
  }
  picked.reverse();
  return { entries: picked, more };
}

/**
 * Every held event after `since` that `identity` may see, oldest first; `more` when events
 * after `since` are no longer held. The entries are a snapshot: a replay streamed slowly
 * still sends what was held when it started.
 */
export function readReplay(source: HistorySource, identity: number, since: number): HistoryBatch {
  const entries: HistoryEntry[] = [];
  let oldest = Infinity;
  for (const entry of source.scanBack(Infinity, since)) {
    oldest = entry.event.seq;
    if (visible(entry, identity)) entries.push(entry);
  }
  entries.reverse();
  const more = source.head() > since && oldest > since + 1;
  return { entries, more };
}

function taken(name: string): Failure<'name_taken'> {
  return { ok: false, code: 'name_taken', message: `the name ${name} is taken` };
}

/** Client input echoed in a message: sanitised and clipped, like everything a person sees. */
export function quote(text: string): string {
  const clean = sanitize(text).replace(/\n/g, ' ');
  return codePointLength(clean) > 32 ? `${Array.from(clean).slice(0, 32).join('')}…` : clean;
}
