import type {
  ChatEvent,
  ClientDmFrame,
  ErrorCode,
  SayFrame,
  ServerFrame,
  ServerLimits,
  UsersFrame,
} from '@ciao/protocol';
import { isChatEvent, nameKey, sanitize } from '@ciao/protocol';
import type { NickColours } from './nick-colours.js';
import { assignColour } from './nick-colours.js';

/** Most lines kept in memory; older ones are fetched again from the server's `history`. */
export const MAX_LINES = 5_000;
/** Most name colours remembered (see Draft.finish). */
export const MAX_COLOURS = 1_000;

export type LineKind =
  | 'message'
  | 'action'
  | 'dm'
  | 'join'
  | 'leave'
  /** Consecutive joins and leaves folded into one line (`joined`, `left`). */
  | 'members'
  | 'nick'
  | 'notice'
  | 'error'
  | 'info'
  /** A mark across the pane: the connection dropped or came back. */
  | 'divider';

/** When the bell rings: never, for mentions and private messages, for every message. */
export type BellMode = 'off' | 'mentions' | 'all';
export const BELL_MODES: readonly BellMode[] = ['off', 'mentions', 'all'];

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
  /** Colour of `from` and of `to`, fixed when the line is made. */
  readonly colour?: string;
  readonly toColour?: string;
  /** A `members` line: who joined and who left, in order, and the seq of its first event. */
  readonly joined?: readonly string[];
  readonly left?: readonly string[];
  readonly firstSeq?: number;
}

/** A message we sent that the server has not echoed yet. */
export interface Outgoing {
  readonly id: string;
  readonly frame: SayFrame | ClientDmFrame;
  readonly ts: number;
  /** How many times the server answered `unavailable` (nothing stored): it is sent again. */
  readonly unavailable?: number;
}

export type ConnStatus =
  /** Not started: waiting for a name. */
  | { readonly state: 'idle' }
  | {
      readonly state: 'connecting';
      readonly attempt: number;
      /** `host:port` of the server this attempt goes to (it becomes the state's `address`). */
      readonly server?: string;
    }
  | { readonly state: 'online' }
  | {
      readonly state: 'offline';
      readonly reason: string;
      readonly attempt: number;
      readonly retryInMs: number;
      /** `host:port` of the server the retry goes to, when it is another one. */
      readonly next?: string;
    }
  | { readonly state: 'stopped'; readonly reason: string }
  /** Connected or not, nothing happens until the person gives another name or a password. */
  | {
      readonly state: 'waiting';
      readonly for: 'name' | 'password';
      /**
       * For a password: 'missing' (we sent none), 'wrong', or 'checking' (sent, no answer yet);
       * for a name: the server's reason.
       */
      readonly reason: string;
    };

/** A search: its text, the line of the current match, and which match of how many that is. */
export interface SearchState {
  readonly query: string;
  readonly at?: { readonly seq: number; readonly sub: number };
  /** 1 is the newest match; 0 when there is none. */
  readonly index: number;
  readonly total: number;
  /** Set when the last step found nothing further that way. */
  readonly end?: 'older' | 'newer';
}

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
  /** `host:port` we talk to, or try to (with several servers, the current one). */
  readonly address: string;
  /** Over TLS. */
  readonly tls: boolean;
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
  /** The server log's epoch (`welcome.epoch`) that `lastSeq` counts in. */
  readonly epoch?: string;
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
  /** Name colours given so far (see nick-colours.ts). */
  readonly colours: NickColours;
  readonly bell: BellMode;
  /** How long our unanswered ping has waited, once it is late; undefined when all is well. */
  readonly lagMs?: number;
  /** When the connection dropped (the gap began); undefined while connected. */
  readonly droppedAt?: number;
  /** The last line read before new ones arrived while scrolled back: the read marker goes under it. */
  readonly readMarker?: { readonly seq: number; readonly sub: number };
  /** The search being stepped through. */
  readonly search?: SearchState;
  /** First name shown in the user list. */
  readonly userOffset: number;
}

export type ChatAction =
  /** `ts`: the time stamp for frames without one (notices, errors). */
  | { readonly type: 'server'; readonly frames: readonly ServerFrame[]; readonly ts: number }
  | { readonly type: 'status'; readonly status: ConnStatus; readonly ts?: number }
  | { readonly type: 'lag'; readonly lagMs: number | undefined }
  | { readonly type: 'bell'; readonly mode: BellMode }
  /** A search step (the view scrolls to its match), or undefined to end the search. */
  | { readonly type: 'search'; readonly search: SearchState | undefined }
  /** `max`: the largest useful offset (the last screen of names is full). */
  | { readonly type: 'scroll_users'; readonly by: number; readonly max: number }
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
  tls?: boolean;
  showUsers?: boolean;
  bell?: BellMode;
}): ChatState {
  return {
    me: options.me,
    address: options.address,
    tls: options.tls ?? false,
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
    colours: new Map(),
    bell: options.bell ?? 'mentions',
    userOffset: 0,
  };
}

export function chatReducer(state: ChatState, action: ChatAction): ChatState {
  switch (action.type) {
    case 'server':
      return applyFrames(state, action.frames, action.ts);
    case 'status':
      return applyStatus(state, action.status, action.ts ?? Date.now());
    case 'lag':
      return state.lagMs === action.lagMs ? state : { ...state, lagMs: action.lagMs };
    case 'bell':
      return { ...state, bell: action.mode };
    case 'search': {
      const at = action.search?.at;
      return {
        ...state,
        search: action.search,
        scroll: at === undefined ? state.scroll : { seq: at.seq, sub: at.sub },
      };
    }
    case 'scroll_users':
      return {
        ...state,
        userOffset: Math.max(0, Math.min(action.max, state.userOffset + action.by)),
      };
    case 'outgoing':
      return {
        ...state,
        outbox: [...state.outbox, action.item],
        scroll: null,
        newCount: 0,
        // Writing is answering: what was missed has been seen.
        readMarker: undefined,
      };
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
      return {
        ...state,
        me: action.name,
        nameError: undefined,
        conn: state.conn.state === 'waiting' ? { state: 'connecting', attempt: 0 } : state.conn,
      };
    case 'name_rejected':
      return {
        ...state,
        nameError: action.reason,
        conn: { state: 'waiting', for: 'name', reason: action.reason },
      };
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

/** A new connection state; a drop and a return leave a line in the pane marking the gap. */
function applyStatus(state: ChatState, status: ConnStatus, now: number): ChatState {
  const next: ChatState = {
    ...state,
    conn: status,
    address: status.state === 'connecting' ? (status.server ?? state.address) : state.address,
    lagMs: status.state === 'online' ? state.lagMs : undefined,
    // An answer to `history` cannot arrive on a socket that is gone.
    history:
      status.state === 'online' || !state.history.loading
        ? state.history
        : { ...state.history, loading: false },
  };
  const down = status.state === 'offline' || status.state === 'stopped';
  if (!down || !state.welcomed || state.droppedAt !== undefined) return next;
  const draft = new Draft({ ...next, droppedAt: now });
  draft.addLocal('divider', `connection lost: ${status.reason}`, now);
  return draft.finish();
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
  private colours: Map<string, string> | undefined;
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
    // Sorted, so who gets a contested colour does not depend on the server's order.
    for (const name of sortUsers(names)) this.colour(name, true);
  }

  /** The colour of `name`, given now if it has none (`entering`: it is joining the room). */
  private colour(name: string, entering = false): string {
    const current = this.colours ?? this.base.colours;
    const colour = assignColour(current, this.users ?? this.next.users, name, entering);
    if (current.get(nameKey(name)) !== colour) {
      this.colours ??= new Map(this.base.colours);
      this.colours.set(nameKey(name), colour);
    }
    return colour;
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
    if (!older && this.next.scroll !== null) {
      // The first line missed while reading back: the read marker goes under what was there.
      if (this.next.newCount === 0 && last) this.next.readMarker = { seq: last.seq, sub: last.sub };
      this.next.newCount++;
    }
    // History arrives oldest first, so a run of joins fetched from it folds as a live one does.
    const at = !last || compareOrder(last, line) < 0 ? lines.length : lowerBound(lines, line);
    const before = lines[at - 1];
    const folded = before && foldMembers(before, line);
    if (folded) lines[at - 1] = folded;
    else if (at === lines.length) lines.push(line);
    else lines.splice(at, 0, line);
  }

  private hasEvent(seq: number): boolean {
    const lines = this.lines ?? this.base.lines;
    const at = lowerBound(lines, { seq, sub: 0 });
    const line = lines[at];
    if (line === undefined || line.sub !== 0) return false;
    return line.seq === seq || (line.firstSeq !== undefined && line.firstSeq <= seq);
  }

  apply(frame: ServerFrame, now: number): void {
    if (isChatEvent(frame)) {
      this.applyEvent(frame);
      return;
    }
    switch (frame.type) {
      case 'welcome': {
        const reconnect = this.next.welcomed;
        const droppedAt = this.next.droppedAt;
        this.next.droppedAt = undefined;
        this.next.me = sanitize(frame.name);
        this.next.token = frame.token;
        this.next.serverName = sanitize(frame.server);
        this.next.limits = frame.limits;
        this.next.welcomed = true;
        this.next.inReplay = true;
        this.next.conn = { state: 'online' };
        this.setUsers(frame.users.map(sanitize));
        this.setPaging(frame.userCount ?? frame.users.length, frame.users.length);
        const known = this.next.epoch;
        this.next.epoch = frame.epoch;
        const last = this.next.lastSeq;
        // Another epoch: the server's history was reset and its seqs start anew. A server that
        // sends no epoch shows it only by a seq below ours.
        const reset =
          last !== undefined &&
          (frame.epoch !== undefined && known !== undefined
            ? frame.epoch !== known
            : frame.seq < last);
        if (reset) {
          this.rebase(last + 1);
          // At seq 0: below everything of the new epoch, its replay included.
          this.next.lastSeq = 0;
          this.addLocal(
            'notice',
            "the server's history was reset: the messages above are from before, and were not replayed",
            now,
          );
          this.next.lastSeq = frame.seq;
        } else if (last === undefined) {
          this.next.lastSeq = frame.seq;
        }
        if (reconnect && droppedAt !== undefined)
          this.addLocal(
            'divider',
            `reconnected as ${this.next.me} after ${describeGap(now - droppedAt)} away`,
            now,
          );
        else
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
        for (const name of names) {
          this.mutUsers.add(name);
          this.colour(name, true);
        }
        if (this.next.usersTotal !== undefined) this.next.usersTotal += names.length;
        // One line for the batch, covering its seqs (history keeps them as single joins).
        this.insert(
          names.length === 1
            ? {
                key: `e${frame.seq}`,
                seq: last,
                sub: 0,
                ts: frame.ts,
                kind: 'join',
                from: names[0],
                text: '',
                colour: this.colour(names[0]!),
              }
            : {
                key: `e${frame.seq}`,
                seq: last,
                sub: 0,
                ts: frame.ts,
                kind: 'members',
                text: '',
                firstSeq: frame.seq,
                joined: names,
                left: [],
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
        if (frame.code === 'unavailable' && frame.id !== undefined) {
          // Nothing was stored: the message stays pending, to go again with the same id (the
          // server's notices say why); an id no longer pending has been confirmed since.
          if (pending >= 0) {
            const item = this.mutOutbox[pending]!;
            this.mutOutbox[pending] = { ...item, unavailable: (item.unavailable ?? 0) + 1 };
          }
        } else if (pending >= 0) {
          const [item] = this.mutOutbox.splice(pending, 1);
          const reason = ERROR_REASONS[frame.code] ?? frame.code.replace(/_/g, ' ');
          this.addLocal(item!.frame.type === 'dm' ? 'dm' : 'message', item!.frame.text, item!.ts, {
            own: true,
            from: this.next.me,
            to: item!.frame.type === 'dm' ? item!.frame.to : undefined,
            failed: `${reason}: ${sanitize(frame.message)}`,
          });
        } else if (frame.code !== 'shutdown') {
          // `shutdown` follows the server's notice saying the same: one line is enough.
          this.addLocal('error', frame.message, now);
        }
        return;
      }
      case 'delivered': {
        // Sent before, as an event that has left the server's history: not lost, not resent.
        const pending = this.findOutgoing(frame.id);
        if (pending >= 0) {
          const [item] = this.mutOutbox.splice(pending, 1);
          this.addLocal(item!.frame.type === 'dm' ? 'dm' : 'message', item!.frame.text, item!.ts, {
            own: true,
            from: this.next.me,
            to: item!.frame.type === 'dm' ? item!.frame.to : undefined,
          });
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
        const to = event.type === 'dm' ? sanitize(event.to) : undefined;
        const mention =
          !own &&
          (event.type === 'dm' ? nameKey(event.to) === meKey : mentions(text, this.next.me));
        line = {
          ...base,
          kind: event.type === 'dm' ? 'dm' : event.action ? 'action' : 'message',
          from,
          to,
          text,
          own,
          mention,
          colour: this.colour(from),
          toColour: to === undefined ? undefined : this.colour(to),
        };
        const bell = this.next.bell;
        if (!replay && live && !own && (bell === 'all' || (bell === 'mentions' && mention)))
          this.next.bells++;
        break;
      }
      case 'join': {
        const name = sanitize(event.name);
        if (live) {
          this.mutUsers.add(name);
          if (this.next.usersTotal !== undefined) this.next.usersTotal++;
        }
        line = { ...base, kind: 'join', from: name, text: '', colour: this.colour(name, live) };
        break;
      }
      case 'leave':
        line = {
          ...base,
          kind: 'leave',
          from: sanitize(event.name),
          text: event.reason,
          colour: this.colour(sanitize(event.name)),
        };
        if (live) {
          const key = nameKey(line.from!);
          for (const user of this.mutUsers) if (nameKey(user) === key) this.mutUsers.delete(user);
          if (this.next.usersTotal !== undefined) this.next.usersTotal--;
        }
        break;
      case 'nick': {
        const from = sanitize(event.from);
        const to = sanitize(event.to);
        const colour = this.colour(from);
        if (live) {
          const key = nameKey(from);
          for (const user of this.mutUsers) if (nameKey(user) === key) this.mutUsers.delete(user);
          this.mutUsers.add(to);
          if (key === meKey) this.next.me = to;
        }
        line = {
          ...base,
          kind: 'nick',
          from,
          to,
          text: '',
          colour,
          toColour: this.colour(to, live),
        };
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
    if (this.colours) {
      // A long session meets many names: beyond this many, only those present keep theirs.
      if (this.colours.size > MAX_COLOURS) {
        const present = new Set(next.users.map(nameKey));
        for (const key of this.colours.keys()) if (!present.has(key)) this.colours.delete(key);
      }
      next.colours = this.colours;
    }
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

/** "12s", "3 min", "2 h 5 min": how long the connection was gone. */
export function describeGap(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const min = Math.round(s / 60);
  return min < 60 ? `${min} min` : `${Math.floor(min / 60)} h ${min % 60} min`;
}

/** Membership lines in a row become one line; the folded line, or undefined. */
export function foldMembers(last: ChatLine, line: ChatLine): ChatLine | undefined {
  const membership = (l: ChatLine): boolean =>
    l.sub === 0 && (l.kind === 'join' || l.kind === 'leave' || l.kind === 'members');
  if (!membership(last) || !membership(line) || line.kind === 'members') return undefined;
  const joined = last.joined ?? (last.kind === 'join' ? [last.from ?? ''] : []);
  const left = last.left ?? (last.kind === 'leave' ? [last.from ?? ''] : []);
  return {
    key: last.key,
    seq: line.seq,
    sub: 0,
    ts: line.ts,
    kind: 'members',
    text: '',
    firstSeq: last.firstSeq ?? last.seq,
    joined: line.kind === 'join' ? [...joined, line.from ?? ''] : joined,
    left: line.kind === 'leave' ? [...left, line.from ?? ''] : left,
  };
}

function assertNever(value: never): never {
  throw new Error(`unexpected ${JSON.stringify(value)}`);
}
