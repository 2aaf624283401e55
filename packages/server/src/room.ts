import { randomBytes } from 'node:crypto';
import type { ChatEvent, DmEvent, LeaveReason, MessageEvent } from '@ciao/protocol';
import { MemberList } from './member-list.js';
import {
  LIMITS,
  checkText,
  codePointLength,
  nameKey,
  sanitize,
  validateName,
} from '@ciao/protocol';

/**
 * The chat room as plain state: members and their names, the event sequence, the history ring
 * and per-session `id` deduplication. No sockets and no timers: sessions adapt a connection to
 * it, and what it creates leaves through a {@link RoomSink}.
 */

/** A session's identity: what a `token` names. It outlives a connection, so a client that
 *  reconnects with its token keeps its deduplication window. */
export interface Identity<C> {
  readonly token: string;
  /** The member currently holding this identity, if connected. */
  member: Member<C> | undefined;
  /** `id` -> the event it created, for the last {@link LIMITS.dedupeWindow} ids; made lazily. */
  dedupe: Map<string, HistoryEntry> | undefined;
}

export interface Member<C> {
  name: string;
  key: string;
  readonly identity: Identity<C>;
  /** The connection the member is reached through (swapped when a token reclaims the name). */
  conn: C;
}

/** An event with what delivery needs: who may see it, and encodings cached by the transport. */
export interface HistoryEntry {
  readonly event: ChatEvent;
  /** For a `dm`: the identities of its two ends, the only ones that may see it. */
  readonly ends?: readonly [object, object];
  /** Encodings, filled once by whoever writes the entry (JSON live/replay, plain text). */
  json?: Buffer;
  replayJson?: Buffer;
  plain?: Buffer;
}

/** Where the room's events go. */
export interface RoomSink<C> {
  /** To every current member, in the order created. */
  broadcast(entry: HistoryEntry): void;
  /** To one connection (the ends of a `dm`). */
  deliver(conn: C, entry: HistoryEntry): void;
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
  | Failure<'name_invalid' | 'name_taken'>;

export type PostResult =
  | {
      readonly ok: true;
      readonly entry: HistoryEntry;
      /** The `id` was seen before: nothing was created, `entry` is the original event. */
      readonly duplicate: boolean;
    }
  | Failure<'text_empty' | 'text_too_long' | 'text_too_many_lines' | 'no_such_user'>;

export type NickResult =
  | { readonly ok: true; readonly entry: HistoryEntry | undefined }
  | Failure<'name_invalid' | 'name_taken'>;

export interface HistoryBatch {
  /** Oldest first. */
  readonly entries: readonly HistoryEntry[];
  /** Older visible events exist than the ones returned. */
  readonly more: boolean;
}

export interface RoomOptions {
  /** Events kept for replay. */
  readonly historySize: number;
  /** Departed identities remembered for token reuse (their dedupe windows), oldest forgotten. */
  readonly maxIdentities?: number;
  readonly now?: () => number;
  readonly newToken?: () => string;
}

export class Room<C> {
  /** By name key, for lookups. */
  readonly #members = new Map<string, Member<C>>();
  /** In join order (a rename keeps a member's place). */
  readonly #order = new Set<Member<C>>();
  /** The names in join order, with their encodings for `welcome` and `users`. */
  readonly #list = new MemberList();
  /** Departed identities, oldest first (Map insertion order). */
  readonly #departed = new Map<string, Identity<C>>();
  readonly #history: (HistoryEntry | undefined)[];
  readonly #historySize: number;
  readonly #maxIdentities: number;
  readonly #now: () => number;
  readonly #newToken: () => string;
  readonly #sink: RoomSink<C>;
  #seq = 0;

  constructor(options: RoomOptions, sink: RoomSink<C>) {
    this.#historySize = Math.max(1, options.historySize);
    this.#history = new Array<HistoryEntry | undefined>(this.#historySize);
    this.#maxIdentities = options.maxIdentities ?? 1_000;
    this.#now = options.now ?? Date.now;
    this.#newToken = options.newToken ?? (() => randomBytes(18).toString('base64url'));
    this.#sink = sink;
  }

  /** Latest seq created (0 before the first event). */
  get seq(): number {
    return this.#seq;
  }

  get size(): number {
    return this.#members.size;
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
   * of a departed identity restores that identity (its dedupe window). Call
   * {@link announceJoin} after welcoming a member that is not a reclaim.
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
      return { ok: false, code: 'name_taken', message: `the name ${holder.name} is taken` };
    }
    let identity = token === undefined ? undefined : this.#departed.get(token);
    if (identity) this.#departed.delete(token!);
    else {
      identity = { token: this.#newToken(), member: undefined, dedupe: undefined };
    }
    const member: Member<C> = { name, key, identity, conn };
    identity.member = member;
    this.#members.set(key, member);
    this.#order.add(member);
    this.#list.add(name);
    return { ok: true, member };
  }

  /** Creates and broadcasts the `join` of a member just registered. */
  announceJoin(member: Member<C>): HistoryEntry {
    return this.#broadcast({ type: 'join', seq: 0, ts: 0, name: member.name });
  }

  /** Removes a member and announces its leave to the others. */
  leave(member: Member<C>, reason: LeaveReason): HistoryEntry | undefined {
    if (this.#members.get(member.key) !== member) return undefined;
    this.#members.delete(member.key);
    this.#order.delete(member);
    this.#list.remove(member.name);
    const identity = member.identity;
    identity.member = undefined;
    this.#departed.set(identity.token, identity);
    if (this.#departed.size > this.#maxIdentities) {
      const oldest = this.#departed.keys().next().value as string;
      this.#departed.delete(oldest);
    }
    return this.#broadcast({ type: 'leave', seq: 0, ts: 0, name: member.name, reason });
  }

  /** Removes every member without announcing anything (shutdown). */
  clear(): void {
    for (const m of this.#order) m.identity.member = undefined;
    this.#members.clear();
    this.#order.clear();
    this.#list.clear();
  }

  /** A room message (`say`), deduplicated by `id`. */
  say(member: Member<C>, text: string, id?: string, action?: boolean): PostResult {
    const seen = this.#seen(member, id);
    if (seen) return { ok: true, entry: seen, duplicate: true };
    const check = checkText(text);
    if (!check.ok) return check;
    const event: MessageEvent = {
      type: 'message',
      seq: 0,
      ts: 0,
      from: member.name,
      text: check.text,
    };
    if (id !== undefined) (event as { id?: string }).id = id;
    if (action) (event as { action?: true }).action = true;
    const entry = this.#broadcast(event);
    this.#remember(member, id, entry);
    return { ok: true, entry, duplicate: false };
  }

  /** A private message, delivered to both ends (once when they are the same member). */
  dm(member: Member<C>, to: string, text: string, id?: string): PostResult {
    const seen = this.#seen(member, id);
    if (seen) return { ok: true, entry: seen, duplicate: true };
    const target = this.#members.get(nameKey(to));
    if (!target)
      return { ok: false, code: 'no_such_user', message: `nobody called ${quote(to)} is here` };
    const check = checkText(text);
    if (!check.ok) return check;
    const event: DmEvent = {
      type: 'dm',
      seq: ++this.#seq,
      ts: this.#now(),
      from: member.name,
      to: target.name,
      text: check.text,
    };
    if (id !== undefined) (event as { id?: string }).id = id;
    const entry: HistoryEntry = { event, ends: [member.identity, target.identity] };
    this.#store(entry);
    this.#sink.deliver(member.conn, entry);
    if (target !== member) this.#sink.deliver(target.conn, entry);
    this.#remember(member, id, entry);
    return { ok: true, entry, duplicate: false };
  }

  /** Renames a member; a change of case only is allowed, the same name is a no-op. */
  nick(member: Member<C>, name: string): NickResult {
    const check = validateName(name);
    if (!check.ok)
      return { ok: false, code: 'name_invalid', message: `invalid name: ${check.reason}` };
    if (name === member.name) return { ok: true, entry: undefined };
    const key = nameKey(name);
    const holder = this.#members.get(key);
    if (holder && holder !== member)
      return { ok: false, code: 'name_taken', message: `the name ${holder.name} is taken` };
    const from = member.name;
    this.#members.delete(member.key);
    this.#list.rename(from, name);
    member.name = name;
    member.key = key;
    this.#members.set(key, member);
    return { ok: true, entry: this.#broadcast({ type: 'nick', seq: 0, ts: 0, from, to: name }) };
  }

  /**
   * The latest `limit` events with `seq < before` that `member` may see, oldest first.
   * `maxBytes` (with `sizeOf`) caps the batch, keeping the newest.
   */
  history(
    member: Member<C>,
    before: number,
    limit: number,
    after = 0,
    budget?: { maxBytes: number; sizeOf: (entry: HistoryEntry) => number },
  ): HistoryBatch {
    const oldest = Math.max(1, this.#seq - this.#historySize + 1, after + 1);
    const picked: HistoryEntry[] = [];
    let bytes = 0;
    let seq = Math.min(before - 1, this.#seq);
    for (; seq >= oldest && picked.length < limit; seq--) {
      const entry = this.#history[seq % this.#historySize];
      if (!entry || !this.#visible(entry, member)) continue;
      if (budget) {
        bytes += budget.sizeOf(entry);
        if (bytes > budget.maxBytes && picked.length > 0) break;
      }
      picked.push(entry);
    }
    let more = false;
    for (; seq >= oldest && !more; seq--) {
      const entry = this.#history[seq % this.#historySize];
      if (entry && this.#visible(entry, member)) more = true;
    }
    picked.reverse();
    return { entries: picked, more };
  }

  #visible(entry: HistoryEntry, member: Member<C>): boolean {
    return !entry.ends || entry.ends[0] === member.identity || entry.ends[1] === member.identity;
  }

  /** The entry an earlier `say`/`dm` with this `id` created, within the dedupe window. */
  duplicateOf(member: Member<C>, id: string | undefined): HistoryEntry | undefined {
    return this.#seen(member, id);
  }

  #seen(member: Member<C>, id: string | undefined): HistoryEntry | undefined {
    return id === undefined ? undefined : member.identity.dedupe?.get(id);
  }

  #remember(member: Member<C>, id: string | undefined, entry: HistoryEntry): void {
    if (id === undefined) return;
    const dedupe = (member.identity.dedupe ??= new Map());
    dedupe.set(id, entry);
    if (dedupe.size > LIMITS.dedupeWindow) dedupe.delete(dedupe.keys().next().value as string);
  }

  #broadcast(event: ChatEvent): HistoryEntry {
    const e = event as { seq: number; ts: number };
    e.seq = ++this.#seq;
    e.ts = this.#now();
    const entry: HistoryEntry = { event };
    this.#store(entry);
    this.#sink.broadcast(entry);
    return entry;
  }

  #store(entry: HistoryEntry): void {
    this.#history[entry.event.seq % this.#historySize] = entry;
  }
}

/** Client input echoed in a message: sanitised and clipped, like everything a person sees. */
export function quote(text: string): string {
  const clean = sanitize(text).replace(/\n/g, ' ');
  return codePointLength(clean) > 32 ? `${Array.from(clean).slice(0, 32).join('')}…` : clean;
}
