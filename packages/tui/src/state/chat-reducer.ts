import type {
  ChatEvent,
  ClientDmFrame,
  ErrorCode,
  SayFrame,
  ServerFrame,
  ServerLimits,
  UsersFrame,
} from '@ciao/protocol';
import { foldNames, isChatEvent, nameKey, sanitize } from '@ciao/protocol';

/** Most lines kept in memory; older ones are fetched again from the server's `history`. */
export const MAX_LINES = 5_000;

export type LineKind =
  'message' | 'action' | 'dm' | 'join' | 'leave' | 'nick' | 'notice' | 'error' | 'info';

/**
 * One entry of the message pane. Events are ordered by `seq`; lines made locally (notices,
 * errors, help) take the latest seq seen when they were made and a growing `sub`, so they stay
 * where they appeared even when older history is merged in above them.
 */
export interface ChatLine {
  /** Unique React key. */
  readonly key: string;
  readonly seq: number;
  /** 0 for server events; 1, 2, ... for local lines after the event with the same `seq`. */
  readonly sub: number;
  readonly ts: number;
  readonly kind: LineKind;
  /** Author of a message/action/dm; subject of join/leave; old name of a nick. */
  readonly from?: string;
  /** Recipient of a dm; new name of a nick. */
  readonly to?: string;
  /** Sanitised text (messages, notices, errors, info); a leave's reason. */
  readonly text: string;
  /** Written by us. */
  readonly own?: boolean;
  /** Mentions our name (or is a private message to us). */
  readonly mention?: boolean;
  /** Our message the server refused; `text` is what we typed, `reason` why. */
  readonly failed?: string;
  /** Our message not yet echoed by the server. */
  readonly pending?: boolean;
}

/** A message we sent that the server has not echoed yet. */
export interface Outgoing {
  readonly id: string;
  readonly frame: SayFrame | ClientDmFrame;
  readonly ts: number;
}

export type ConnStatus =
  /** Not started: waiting for a name. */
  | { readonly state: 'idle' }
  | { readonly state: 'connecting'; readonly attempt: number }
  | { readonly state: 'online' }
  | {
      readonly state: 'offline';
      readonly reason: string;
      readonly attempt: number;
      readonly retryInMs: number;
    }
  | { readonly state: 'stopped'; readonly reason: string };

/** Where the pane is scrolled to: `null` follows the newest line. */
export interface ScrollAnchor {
  /** The line shown at the bottom of the pane. */
  readonly seq: number;
  readonly sub: number;
  /** Rows of that line below the pane (a line taller than the pane is read row by row). */
  readonly skip?: number;
}

export interface ChatState {
  /** Our name (changes with `/nick`). */
  readonly me: string;
  /** `host:port` we talk to. */
  readonly address: string;
  /** The server's name/version from `welcome`. */
  readonly serverName?: string;
  readonly conn: ConnStatus;
  /** Users online, sorted case-insensitively. */
  readonly users: readonly string[];
  /**
   * In a big room the server lists the first page of names only (PROTOCOL.md `welcome`):
   * how many users there are, and where the next page to ask for (`who`) starts. Both are
   * undefined once `users` is the whole list.
   */
  readonly usersTotal?: number;
  readonly usersNext?: number;
  /** Sorted by (seq, sub); at most MAX_LINES. */
  readonly lines: readonly ChatLine[];
  /** Unconfirmed messages in the order they were typed. */
  readonly outbox: readonly Outgoing[];
  /** Highest event seq seen: the `since` of a reconnect. */
  readonly lastSeq?: number;
  /** From `welcome`: reclaims our name on reconnect. */
  readonly token?: string;
  readonly limits?: ServerLimits;
  /** Older history: whether the server has more, the `before` to ask with, and a pending ask. */
  readonly history: {
    readonly more: boolean;
    readonly before?: number;
    readonly loading: boolean;
  };
  readonly scroll: ScrollAnchor | null;
  /** Lines that arrived below the view while scrolled back. */
  readonly newCount: number;
  /** Grows by one for each live mention: the shell rings the bell when it changes. */
  readonly bells: number;
  /** Counter for local lines' `sub` and keys. */
  readonly localCount: number;
  /** True between `welcome` and its `history_end`. */
  readonly inReplay: boolean;
  /** Has been welcomed at least once (a later welcome is a reconnect). */
  readonly welcomed: boolean;
  readonly showUsers: boolean;
  /** Why the server refused our name before `welcome`: the app asks for another. */
  readonly nameError?: string;
}

export type ChatAction =
  /** `ts`: the time stamp for frames without one (notices, errors). */
  | { readonly type: 'server'; readonly frames: readonly ServerFrame[]; readonly ts: number }
  | { readonly type: 'status'; readonly status: ConnStatus }
  | { readonly type: 'outgoing'; readonly item: Outgoing }
  | {
      readonly type: 'local';
      readonly kind: 'info' | 'error';
      readonly text: readonly string[];
      readonly ts: number;
    }
  | { readonly type: 'clear' }
  | { readonly type: 'scroll'; readonly anchor: ScrollAnchor | null }
  | { readonly type: 'history_requested' }
  | { readonly type: 'history_loaded' }
  | { readonly type: 'set_name'; readonly name: string }
  | { readonly type: 'name_rejected'; readonly reason: string }
  | { readonly type: 'toggle_users' }
  /** A page of the member list asked for because `welcome` listed only the first. */
  | { readonly type: 'users_page'; readonly frame: UsersFrame };

export function initialState(options: {
  me: string;
  address: string;
  showUsers?: boolean;
}): ChatState {
  return {
    me: options.me,
    address: options.address,
    conn: options.me === '' ? { state: 'idle' } : { state: 'connecting', attempt: 0 },
    users: [],
    lines: [],
    outbox: [],
    history: { more: false, loading: false },
    scroll: null,
    newCount: 0,
    bells: 0,
    localCount: 0,
    inReplay: false,
    welcomed: false,
    showUsers: options.showUsers ?? true,
  };
}

export function chatReducer(state: ChatState, action: ChatAction): ChatState {
  switch (action.type) {
    case 'server':
      return applyFrames(state, action.frames, action.ts);
    case 'status':
      return {
        ...state,
        conn: action.status,
        // An answer to `history` cannot arrive on a socket that is gone.
        history:
          action.status.state === 'online' || !state.history.loading
            ? state.history
            : { ...state.history, loading: false },
      };
    case 'outgoing':
      return { ...state, outbox: [...state.outbox, action.item], scroll: null, newCount: 0 };
    case 'local': {
      const draft = new Draft(state);
      for (const text of action.text) draft.addLocal(action.kind, text, action.ts);
      return draft.finish();
    }
    case 'clear':
      return {
        ...state,
        lines: [],
        scroll: null,
        newCount: 0,
        history: {
          more: state.lastSeq !== undefined,
          before: state.lastSeq === undefined ? undefined : state.lastSeq + 1,
          loading: false,
        },
      };
    case 'scroll':
      return {
        ...state,
        scroll: action.anchor,
        newCount: action.anchor === null ? 0 : state.newCount,
      };
    case 'history_requested':
      return { ...state, history: { ...state.history, loading: true } };
    case 'history_loaded':
      return { ...state, history: { ...state.history, loading: false } };
    case 'set_name':
      return { ...state, me: action.name, nameError: undefined };
    case 'name_rejected':
      return { ...state, nameError: action.reason };
    case 'toggle_users':
      return { ...state, showUsers: !state.showUsers };
    case 'users_page': {
      const draft = new Draft(state);
      draft.usersPage(action.frame);
      return draft.finish();
    }
    default:
      return assertNever(action);
  }
}

/** The pane line showing an unconfirmed message of ours. */
export function outgoingLine(item: Outgoing, me: string): ChatLine {
  return {
    key: `o${item.id}`,
    seq: Number.MAX_SAFE_INTEGER,
    sub: 0,
    ts: item.ts,
    kind:
      item.frame.type === 'dm'
        ? 'dm'
        : item.frame.type === 'say' && item.frame.action
          ? 'action'
          : 'message',
    from: me,
    to: item.frame.type === 'dm' ? item.frame.to : undefined,
    text: sanitize(item.frame.text),
    own: true,
    pending: true,
  };
}

function applyFrames(state: ChatState, frames: readonly ServerFrame[], now: number): ChatState {
  const draft = new Draft(state);
  for (const frame of frames) draft.apply(frame, now);
  return draft.finish();
}

/** Compares two positions in the pane. */
export function compareOrder(
  a: { readonly seq: number; readonly sub: number },
  b: { readonly seq: number; readonly sub: number },
): number {
  return a.seq - b.seq || a.sub - b.sub;
}

/** Index of the first line not before `pos` (lines.length if none). */
export function lowerBound(
  lines: readonly ChatLine[],
  pos: { readonly seq: number; readonly sub: number },
): number {
  let lo = 0;
  let hi = lines.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareOrder(lines[mid]!, pos) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** True if `text` names `me` as a word (case-insensitively). */
export function mentions(text: string, me: string): boolean {
  if (me === '') return false;
  const hay = nameKey(text);
  const needle = nameKey(me);
  let from = 0;
  for (;;) {
    const at = hay.indexOf(needle, from);
    if (at < 0) return false;
    const before = hay[at - 1];
    const after = hay[at + needle.length];
    if (!isNameChar(before) && !isNameChar(after)) return true;
    from = at + 1;
  }
}

function isNameChar(ch: string | undefined): boolean {
  return ch !== undefined && /[\p{L}\p{N}_.-]/u.test(ch) && ch !== '.';
}

function sortUsers(names: Iterable<string>): string[] {
  return [...new Set(names)].sort((a, b) => nameKey(a).localeCompare(nameKey(b)));
}

const ERROR_REASONS: Partial<Record<ErrorCode, string>> = {
  rate_limited: 'rate limited',
  text_too_long: 'too long',
  text_too_many_lines: 'too many lines',
  text_empty: 'empty',
  no_such_user: 'no such user',
  not_registered: 'not connected',
};

/**
 * A mutable copy of the state for one action: a batch of hundreds of frames costs one copy of
 * the line array, not one per frame.
 */
class Draft {
  private lines: ChatLine[] | undefined;
  private outbox: Outgoing[] | undefined;
  private users: Set<string> | undefined;
  private next: {
    -readonly [K in keyof ChatState]: ChatState[K];
  };

  constructor(private readonly base: ChatState) {
    this.next = { ...base };
  }

  private get mutLines(): ChatLine[] {
    this.lines ??= [...this.base.lines];
    return this.lines;
  }

  private get mutOutbox(): Outgoing[] {
    this.outbox ??= [...this.base.outbox];
    return this.outbox;
  }

  private get mutUsers(): Set<string> {
    this.users ??= new Set(this.next.users);
    return this.users;
  }

  private setUsers(names: readonly string[]): void {
    this.users = new Set(names);
  }

  /** Where paging the member list stands once `listed` of `total` names are known. */
  private setPaging(total: number, listed: number): void {
    this.next.usersTotal = listed < total ? total : undefined;
    this.next.usersNext = listed < total ? listed : undefined;
  }

  /** Adds one page of the member list to the names we know. */
  usersPage(frame: UsersFrame): void {
    for (const name of frame.names) this.mutUsers.add(sanitize(name));
    const total = frame.total ?? frame.names.length;
    this.setPaging(total, (frame.offset ?? 0) + frame.names.length);
  }

  addLocal(kind: LineKind, text: string, ts: number, extra: Partial<ChatLine> = {}): void {
    const count = this.next.localCount + 1;
    this.next.localCount = count;
    const line: ChatLine = {
      key: `l${count}`,
      seq: this.next.lastSeq ?? 0,
      sub: count,
      ts,
      kind,
      text: sanitize(text),
      ...extra,
    };
    this.insert(line, false);
  }

  /** Inserts in (seq, sub) order; appending is the common case. */
  private insert(line: ChatLine, older: boolean): void {
    const lines = this.mutLines;
    const last = lines[lines.length - 1];
    if (!last || compareOrder(last, line) < 0) lines.push(line);
    else lines.splice(lowerBound(lines, line), 0, line);
    if (!older && this.next.scroll !== null) this.next.newCount++;
  }

  private hasEvent(seq: number): boolean {
    const lines = this.lines ?? this.base.lines;
    const at = lowerBound(lines, { seq, sub: 0 });
    const line = lines[at];
    return line !== undefined && line.seq === seq && line.sub === 0;
  }

  apply(frame: ServerFrame, now: number): void {
    if (isChatEvent(frame)) {
      this.applyEvent(frame);
      return;
    }
    switch (frame.type) {
      case 'welcome': {
        const reconnect = this.next.welcomed;
        this.next.me = sanitize(frame.name);
        this.next.token = frame.token;
        this.next.serverName = sanitize(frame.server);
        this.next.limits = frame.limits;
        this.next.welcomed = true;
        this.next.inReplay = true;
        this.next.conn = { state: 'online' };
        this.setUsers(frame.users.map(sanitize));
        this.setPaging(frame.userCount ?? frame.users.length, frame.users.length);
        if (this.next.lastSeq !== undefined && frame.seq < this.next.lastSeq) {
          this.rebase(this.next.lastSeq + 1);
          this.next.lastSeq = frame.seq;
          this.addLocal(
            'notice',
            'the server restarted: earlier messages above are from before',
            now,
          );
        } else if (this.next.lastSeq === undefined) {
          this.next.lastSeq = frame.seq;
        }
        this.addLocal(
          'info',
          reconnect
            ? `reconnected as ${this.next.me}`
            : `connected to ${this.next.serverName} as ${this.next.me}. /help lists the commands.`,
          now,
        );
        if (frame.motd)
          for (const line of frame.motd.split('\n')) this.addLocal('notice', line, now);
        return;
      }
      case 'history_end': {
        const hist = this.next.history;
        if (this.next.inReplay) {
          this.next.inReplay = false;
          // The first replay tells how far back history goes; after a reconnect we already
          // know what is above us.
          if (hist.before === undefined || (this.lines ?? this.base.lines).length === 0) {
            this.next.history = { more: frame.more, before: frame.before, loading: hist.loading };
          }
        } else {
          this.next.history = {
            more: frame.more,
            before: frame.before ?? hist.before,
            loading: false,
          };
        }
        return;
      }
      case 'users': {
        const names = frame.names.map(sanitize);
        const total = frame.total ?? names.length;
        const offset = frame.offset ?? 0;
        // A partial answer adds to what we know rather than forgetting the other pages.
        if (offset === 0 && names.length >= total) {
          this.setUsers(names);
          this.setPaging(total, total);
        } else this.usersPage(frame);
        const more = total - offset - names.length;
        this.addLocal(
          'info',
          `online (${total}): ${sortUsers(names).join(', ')}${more > 0 ? ` and ${more} more (/who ${offset + names.length + 1})` : ''}`,
          now,
        );
        return;
      }
      case 'joins': {
        const last = frame.seq + frame.names.length - 1;
        // Sent live only; one we already have (seq not new) changes nothing.
        if (this.next.lastSeq !== undefined && last <= this.next.lastSeq) return;
        this.next.lastSeq = last;
        const names = frame.names.map(sanitize);
        for (const name of names) this.mutUsers.add(name);
        if (this.next.usersTotal !== undefined) this.next.usersTotal += names.length;
        this.insert(
          {
            key: `e${frame.seq}`,
            seq: frame.seq,
            sub: 0,
            ts: frame.ts,
            kind: 'join',
            from: foldNames(names),
            text: '',
          },
          false,
        );
        return;
      }
      case 'notice':
        for (const line of frame.text.split('\n')) this.addLocal('notice', line, now);
        return;
      case 'error': {
        const pending = frame.id === undefined ? -1 : this.findOutgoing(frame.id);
        if (pending >= 0) {
          const [item] = this.mutOutbox.splice(pending, 1);
          const reason = ERROR_REASONS[frame.code] ?? frame.code.replace(/_/g, ' ');
          this.addLocal(item!.frame.type === 'dm' ? 'dm' : 'message', item!.frame.text, item!.ts, {
            own: true,
            from: this.next.me,
            to: item!.frame.type === 'dm' ? item!.frame.to : undefined,
            failed: `${reason}: ${sanitize(frame.message)}`,
          });
        } else {
          this.addLocal('error', frame.message, now);
        }
        return;
      }
      case 'ping':
      case 'pong':
        return;
      default:
        return assertNever(frame);
    }
  }

  /**
   * A server that restarted numbers its events from 1 again: what we have moves below zero, so
   * new events sort after it and are not taken for duplicates of old seqs.
   */
  private rebase(shift: number): void {
    const epoch = this.next.localCount + 1;
    this.next.localCount = epoch;
    this.lines = (this.lines ?? this.base.lines).map((line) => ({
      ...line,
      seq: line.seq - shift,
      key: `r${epoch}${line.key}`,
    }));
    const scroll = this.next.scroll;
    if (scroll) this.next.scroll = { ...scroll, seq: scroll.seq - shift };
    this.next.history = { more: false, loading: false };
  }

  private findOutgoing(id: string): number {
    const outbox = this.outbox ?? this.base.outbox;
    return outbox.findIndex((item) => item.id === id);
  }

  private applyEvent(event: ChatEvent): void {
    const replay = event.replay === true;
    const older = this.next.lastSeq !== undefined && event.seq <= this.next.lastSeq;
    if (older && this.hasEvent(event.seq)) return;
    if (!older || this.next.lastSeq === undefined) this.next.lastSeq = event.seq;
    // Membership changes only matter when they are news, not when scrolling back through them.
    const live = !older;
    const meKey = nameKey(this.next.me);
    let line: ChatLine;
    const base = { key: `e${event.seq}`, seq: event.seq, sub: 0, ts: event.ts };
    switch (event.type) {
      case 'message':
      case 'dm': {
        let own = false;
        if (event.id !== undefined) {
          const at = this.findOutgoing(event.id);
          if (at >= 0) {
            this.mutOutbox.splice(at, 1);
            own = true;
          }
        }
        const from = sanitize(event.from);
        own ||= nameKey(from) === meKey;
        const text = sanitize(event.text);
        const mention =
          !own &&
          (event.type === 'dm' ? nameKey(event.to) === meKey : mentions(text, this.next.me));
        line = {
          ...base,
          kind: event.type === 'dm' ? 'dm' : event.action ? 'action' : 'message',
          from,
          to: event.type === 'dm' ? sanitize(event.to) : undefined,
          text,
          own,
          mention,
        };
        if (mention && !replay) this.next.bells++;
        break;
      }
      case 'join':
        line = { ...base, kind: 'join', from: sanitize(event.name), text: '' };
        if (live) {
          this.mutUsers.add(line.from!);
          if (this.next.usersTotal !== undefined) this.next.usersTotal++;
        }
        break;
      case 'leave':
        line = { ...base, kind: 'leave', from: sanitize(event.name), text: event.reason };
        if (live) {
          const key = nameKey(line.from!);
          for (const user of this.mutUsers) if (nameKey(user) === key) this.mutUsers.delete(user);
          if (this.next.usersTotal !== undefined) this.next.usersTotal--;
        }
        break;
      case 'nick': {
        const from = sanitize(event.from);
        const to = sanitize(event.to);
        line = { ...base, kind: 'nick', from, to, text: '' };
        if (live) {
          const key = nameKey(from);
          for (const user of this.mutUsers) if (nameKey(user) === key) this.mutUsers.delete(user);
          this.mutUsers.add(to);
          if (key === meKey) this.next.me = to;
        }
        break;
      }
      default:
        return assertNever(event);
    }
    this.insert(line, older);
  }

  finish(): ChatState {
    const next = this.next;
    if (this.users) next.users = sortUsers(this.users);
    if (this.outbox) next.outbox = this.outbox;
    if (this.lines) {
      let lines = this.lines;
      if (lines.length > MAX_LINES) {
        lines = lines.slice(lines.length - MAX_LINES);
        const first = lines[0]!;
        next.history = {
          more: true,
          before: first.sub === 0 ? first.seq : first.seq + 1,
          loading: next.history.loading,
        };
      }
      next.lines = lines;
    }
    return next;
  }
}

function assertNever(value: never): never {
  throw new Error(`unexpected ${JSON.stringify(value)}`);
}
