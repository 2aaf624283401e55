import { randomUUID } from 'node:crypto';
import type { ClientFrame, ServerFrame } from '@ciao/protocol';
import {
  checkText,
  COMMAND_HELP,
  DEFAULTS,
  nameKey,
  parseCommand,
  PROTOCOL_VERSION,
  validateName,
} from '@ciao/protocol';
import { errorPolicy, resendDelay } from './net/reconnect-policy.js';
import type { Transport, TransportHandlers } from './net/connection.js';
import { RatePacer } from './net/rate-pacer.js';
import type {
  BellMode,
  ChatAction,
  ChatState,
  ConnStatus,
  Outgoing,
} from './state/chat-reducer.js';
import { chatReducer, initialState, MAX_LINES } from './state/chat-reducer.js';
import { LOCAL_HELP, parseLocalCommand } from './state/local-commands.js';
import { findMatch, matchPosition } from './state/search.js';
import { KEY_HELP } from './keys.js';

/**
 * Frames from the server are applied in batches: a calm room redraws within FLUSH_MS (about 30
 * times a second at most), a flooded one every BUSY_FLUSH_MS (each Ink frame costs several ms
 * of CPU however little changed, and nobody reads 500 lines a second).
 */
export const FLUSH_MS = 33;
export const BUSY_FLUSH_MS = 100;
/** A batch this big means the room is busy. */
export const BUSY_BATCH = 10;
/** Events asked for per `history` request. */
export const HISTORY_PAGE = 100;

export interface ControllerOptions {
  /** Our name; '' asks the person first (the app shows the name prompt). */
  readonly name: string;
  /** `host:port` of the first server, shown in the status bar (then each attempt's). */
  readonly address: string;
  /** Over TLS (the status bar says so). Default false. */
  readonly tls?: boolean;
  readonly password?: string;
  readonly makeTransport: (handlers: TransportHandlers) => Transport;
  readonly now?: () => number;
  /** Message id generator. Default: a random 8-character prefix per client and a counter. */
  readonly newId?: () => string;
  /** Batching interval; 0 applies every frame at once (tests). Default FLUSH_MS. */
  readonly flushMs?: number;
  /** Batching interval while the room is busy. Default BUSY_FLUSH_MS. */
  readonly busyFlushMs?: number;
  readonly showUsers?: boolean;
  /** When the bell rings. Default 'mentions'. */
  readonly bell?: BellMode;
  /** Jitter of the resends after `unavailable`, in [0, 1). Default Math.random. */
  readonly random?: () => number;
}

type Listener = () => void;

/**
 * The chat session without a terminal: a store over the reducer, the command interpreter, the
 * outbox and its paced resend after every reconnect. The Ink app renders its state and calls
 * its methods.
 */
export class ChatController {
  private state: ChatState;
  private readonly listeners = new Set<Listener>();
  private readonly transport: Transport;
  private readonly now: () => number;
  private readonly newId: () => string;
  private readonly flushMs: number;
  private readonly busyFlushMs: number;
  /** The last batch was big: wait longer for the next. */
  private busy = false;
  private readonly pacer: RatePacer;
  private inbox: ServerFrame[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private sendQueue: Outgoing[] = [];
  private pumpTimer: NodeJS.Timeout | undefined;
  /** This socket's session got its `welcome`. */
  private registered = false;
  /** Waiting for the `history_end` that ends the replay after `welcome`. */
  private replaying = false;
  /** The offset of the page of names asked for (big rooms list the rest through `who`). */
  private pagingUsers: number | undefined;
  private started = false;
  private quitting: Promise<void> | undefined;
  private resolveClosed!: () => void;
  /** Resolves once the user has left (`/quit`, `{quit}`, Ctrl+C) and the socket is closed. */
  readonly closed: Promise<void> = new Promise((resolve) => (this.resolveClosed = resolve));
  private password: string | undefined;
  /** Re-draws the reconnect countdown once a second while offline. */
  private countdown: NodeJS.Timeout | undefined;
  private readonly random: () => number;
  /** Messages the server could not store (`unavailable`), each waiting to go again, by id. */
  private readonly resendTimers = new Map<string, NodeJS.Timeout>();
  /** Our `hello` was answered `unavailable` this many times in a row on this socket. */
  private helloTries = 0;
  private helloTimer: NodeJS.Timeout | undefined;

  constructor(options: ControllerOptions) {
    this.now = options.now ?? Date.now;
    const prefix = randomUUID().slice(0, 8);
    let counter = 0;
    this.newId = options.newId ?? (() => `${prefix}-${++counter}`);
    this.flushMs = options.flushMs ?? FLUSH_MS;
    this.busyFlushMs = options.busyFlushMs ?? Math.max(this.flushMs, BUSY_FLUSH_MS);
    this.password = options.password;
    this.random = options.random ?? Math.random;
    this.pacer = new RatePacer(DEFAULTS.ratePerSec, DEFAULTS.rateBurst, this.now);
    this.pacer.configure(DEFAULTS.ratePerSec, DEFAULTS.rateBurst);
    this.state = initialState({
      me: options.name,
      address: options.address,
      tls: options.tls,
      showUsers: options.showUsers,
      bell: options.bell,
    });
    this.transport = options.makeTransport({
      onOpen: () => this.onOpen(),
      onFrame: (frame) => this.onFrame(frame),
      onStatus: (status) => this.onStatus(status),
      onLag: (lagMs) => this.dispatch({ type: 'lag', lagMs }),
    });
  }

  // ------------------------------------------------------------------ store

  getState = (): ChatState => this.state;

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  dispatch(action: ChatAction): void {
    const next = chatReducer(this.state, action);
    if (next === this.state) return;
    this.state = next;
    for (const listener of this.listeners) listener();
    if (action.type === 'toggle_users') this.pageUsers();
  }

  /** Asks for the next page of names while the list is shown and the server has more. */
  private pageUsers(): void {
    const { usersNext, showUsers } = this.state;
    if (usersNext === undefined || !showUsers || !this.registered) return;
    if (this.pagingUsers !== undefined) return;
    this.pagingUsers = usersNext;
    this.transport.send({ type: 'who', offset: usersNext });
  }

  // ------------------------------------------------------------------ lifecycle

  /** Connects (once a name is known). */
  start(): void {
    if (this.started || this.state.me === '') return;
    this.started = true;
    this.transport.start();
  }

  /** Sets our name from the prompt, then connects or retries `hello`. */
  setName(name: string): void {
    this.dispatch({ type: 'set_name', name });
    if (!this.started) this.start();
    else if (!this.registered) this.sendHello();
  }

  /** Says goodbye and closes; resolves once the socket is closed. */
  quit(): Promise<void> {
    this.quitting ??= this.leave();
    return this.quitting;
  }

  /** Connects again now instead of waiting for the next retry (`/reconnect`, Ctrl+T). */
  reconnectNow(): void {
    if (this.quitting || !this.started) return;
    this.transport.reconnectNow();
  }

  /**
   * The password the server asked for: connects again with it. The prompt stays up until the
   * server answers (welcome or auth_failed), so keys typed meanwhile go nowhere else.
   */
  setPassword(password: string): void {
    this.password = password;
    this.dispatch({
      type: 'status',
      status: { state: 'waiting', for: 'password', reason: 'checking' },
    });
    this.transport.reconnectNow();
  }

  private async leave(): Promise<void> {
    this.stopCountdown();
    this.stopResends();
    this.flush();
    if (this.pumpTimer) clearTimeout(this.pumpTimer);
    this.transport.send({ type: 'bye', reason: 'quit' });
    await this.transport.stop('left the chat');
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.resolveClosed();
  }

  private onOpen(): void {
    this.registered = false;
    this.replaying = false;
    if (this.state.me !== '') this.sendHello();
  }

  private sendHello(): void {
    const { me, token, lastSeq, epoch, welcomed } = this.state;
    this.transport.send({
      type: 'hello',
      protocol: PROTOCOL_VERSION,
      name: me,
      ...(this.password !== undefined ? { password: this.password } : {}),
      ...(token !== undefined ? { token } : {}),
      ...(welcomed && lastSeq !== undefined ? { since: lastSeq } : {}),
      // The server replays from `since` only if it counts in the same epoch.
      ...(welcomed && lastSeq !== undefined && epoch !== undefined ? { epoch } : {}),
    });
  }

  private onStatus(status: ConnStatus): void {
    if (status.state !== 'online') {
      this.registered = false;
      this.pagingUsers = undefined;
      this.sendQueue = [];
      // A new socket starts with `hello` and, after its replay, resends the whole outbox.
      this.stopResends();
    }
    this.flush();
    // While the password prompt is up, the socket's comings and goings are not news: `welcome`
    // or `auth_failed` ends the wait.
    if (this.state.conn.state === 'waiting' && this.state.conn.for === 'password') return;
    this.dispatch({ type: 'status', status, ts: this.now() });
    this.stopCountdown();
    if (status.state === 'offline') this.startCountdown(status);
  }

  private startCountdown(status: Extract<ConnStatus, { state: 'offline' }>): void {
    const retryAt = this.now() + status.retryInMs;
    this.countdown = setInterval(() => {
      const retryInMs = Math.max(0, retryAt - this.now());
      this.dispatch({ type: 'status', status: { ...status, retryInMs }, ts: this.now() });
      if (retryInMs === 0) this.stopCountdown();
    }, 1_000);
    this.countdown.unref();
  }

  private stopCountdown(): void {
    if (this.countdown) clearInterval(this.countdown);
    this.countdown = undefined;
  }

  private onFrame(frame: ServerFrame): void {
    switch (frame.type) {
      case 'ping':
        this.transport.send(
          frame.nonce === undefined ? { type: 'pong' } : { type: 'pong', nonce: frame.nonce },
        );
        return;
      case 'welcome':
        this.flush();
        this.registered = true;
        this.replaying = true;
        this.helloTries = 0;
        this.transport.markRegistered();
        this.pacer.configure(frame.limits.ratePerSec, frame.limits.rateBurst);
        this.dispatch({ type: 'server', frames: [frame], ts: this.now() });
        this.pageUsers();
        return;
      case 'users':
        if (this.pagingUsers !== undefined && (frame.offset ?? 0) === this.pagingUsers) {
          this.pagingUsers = undefined;
          this.flush();
          this.dispatch({ type: 'users_page', frame });
          this.pageUsers();
          return;
        }
        break;
      case 'history_end':
        if (this.replaying) {
          this.replaying = false;
          this.inbox.push(frame);
          this.flush();
          this.afterReplay();
          return;
        }
        break;
      case 'error':
        if (this.handleError(frame)) return;
        break;
      default:
        break;
    }
    this.inbox.push(frame);
    if (this.flushMs <= 0) this.flush();
    else
      this.flushTimer ??= setTimeout(
        () => this.flush(),
        this.busy ? this.busyFlushMs : this.flushMs,
      );
  }

  /** Returns true when the error was fully handled here. */
  private handleError(frame: Extract<ServerFrame, { type: 'error' }>): boolean {
    const policy = errorPolicy(frame.code, this.registered);
    if (frame.code === 'auth_failed') {
      // We know whether we sent a password: none sent means the server wants one.
      this.flush();
      this.transport.hold();
      const reason = this.password === undefined ? 'missing' : 'wrong';
      this.password = undefined;
      this.dispatch({ type: 'status', status: { state: 'waiting', for: 'password', reason } });
      return true;
    }
    if (policy === 'stop') {
      this.flush();
      this.dispatch({ type: 'server', frames: [frame], ts: this.now() });
      // Held, not stopped: /reconnect can still try again.
      this.transport.hold();
      this.dispatch({
        type: 'status',
        status: { state: 'stopped', reason: frame.message },
        ts: this.now(),
      });
      return true;
    }
    if (policy === 'rename') {
      this.flush();
      this.dispatch({ type: 'name_rejected', reason: frame.message });
      return true;
    }
    if (policy === 'resend') {
      this.flush();
      this.onUnavailable(frame);
      return true;
    }
    return false;
  }

  /**
   * The server could not reach its shared store, so the frame did nothing: a refused `hello`
   * goes again on this socket, a message stays pending and goes again with the same id, each
   * with backoff. Anything else (`nick`, `who`, `history`) is shown, for the person to retry.
   */
  private onUnavailable(frame: Extract<ServerFrame, { type: 'error' }>): void {
    if (!this.registered) {
      this.helloTries++;
      // One line for an outage, not one per try.
      if (this.helloTries === 1) this.dispatch({ type: 'server', frames: [frame], ts: this.now() });
      if (this.helloTimer) clearTimeout(this.helloTimer);
      this.helloTimer = setTimeout(
        () => {
          this.helloTimer = undefined;
          if (!this.registered && this.state.me !== '') this.sendHello();
        },
        resendDelay(this.helloTries, this.random),
      );
      return;
    }
    this.dispatch({ type: 'server', frames: [frame], ts: this.now() });
    const id = frame.id;
    if (id === undefined) {
      // Whatever was asked will not be answered: let it be asked again.
      this.pagingUsers = undefined;
      if (this.state.history.loading) this.dispatch({ type: 'history_loaded' });
      return;
    }
    const item = this.state.outbox.find((pending) => pending.id === id);
    if (item === undefined) return;
    const old = this.resendTimers.get(id);
    if (old) clearTimeout(old);
    const timer = setTimeout(
      () => {
        this.resendTimers.delete(id);
        const current = this.state.outbox.find((pending) => pending.id === id);
        if (current === undefined || !this.registered || this.replaying) return;
        this.sendQueue.push(current);
        if (!this.pumpTimer) this.pump();
      },
      resendDelay(item.unavailable ?? 1, this.random),
    );
    this.resendTimers.set(id, timer);
  }

  private stopResends(): void {
    for (const timer of this.resendTimers.values()) clearTimeout(timer);
    this.resendTimers.clear();
    if (this.helloTimer) clearTimeout(this.helloTimer);
    this.helloTimer = undefined;
    this.helloTries = 0;
  }

  /** Applies the frames received since the last flush in one state update. */
  flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.inbox.length === 0) return;
    const frames = this.inbox;
    this.inbox = [];
    this.busy = frames.length >= BUSY_BATCH;
    this.dispatch({ type: 'server', frames, ts: this.now() });
  }

  /** After the replay that follows `welcome`: resend what is unconfirmed, fill the first screen. */
  private afterReplay(): void {
    this.sendQueue = [...this.state.outbox];
    this.pump();
    const { lines, lastSeq, history } = this.state;
    if (!lines.some((line) => line.sub === 0) && lastSeq !== undefined && lastSeq > 0) {
      // A first connection shows what was said just before we came.
      this.requestHistory(lastSeq + 1);
    } else if (history.loading) {
      this.dispatch({ type: 'history_loaded' });
    }
  }

  private pump(): void {
    if (this.pumpTimer) clearTimeout(this.pumpTimer);
    this.pumpTimer = undefined;
    while (this.sendQueue.length > 0 && this.registered) {
      if (!this.pacer.take()) {
        this.pumpTimer = setTimeout(() => this.pump(), this.pacer.waitMs());
        return;
      }
      const item = this.sendQueue.shift()!;
      // Skip what was confirmed while it waited.
      if (this.state.outbox.some((pending) => pending.id === item.id))
        this.transport.send(item.frame);
    }
  }

  // ------------------------------------------------------------------ user actions

  /**
   * Interprets a line typed by the user. Returns false when the line must stay in the input
   * (it could not be sent as it is), true when it was taken.
   */
  submit(input: string): boolean {
    const ts = this.now();
    const local = (kind: 'info' | 'error', ...text: string[]): void =>
      this.dispatch({ type: 'local', kind, text, ts });
    const own = parseLocalCommand(input);
    if (own !== undefined) {
      switch (own.kind) {
        case 'bell':
          if (own.mode !== undefined) this.dispatch({ type: 'bell', mode: own.mode });
          local('info', `bell: ${own.mode ?? this.state.bell} (/bell off|mentions|all)`);
          return true;
        case 'reconnect':
          this.reconnectNow();
          return true;
        case 'search':
          return this.search(own.query, 'older');
        case 'usage':
          local('error', `usage: ${own.usage}`);
          return false;
        default:
          return assertNever(own);
      }
    }
    const command = parseCommand(input);
    switch (command.kind) {
      case 'empty':
        return true;
      case 'say':
      case 'action': {
        const checked = checkText(command.text);
        if (!checked.ok) {
          local('error', checked.message);
          return checked.code === 'text_empty';
        }
        const id = this.newId();
        this.enqueue({
          id,
          ts,
          frame: {
            type: 'say',
            text: command.text,
            id,
            ...(command.kind === 'action' ? { action: true } : {}),
          },
        });
        return true;
      }
      case 'dm': {
        const checked = checkText(command.text);
        if (!checked.ok) {
          local('error', checked.message);
          return false;
        }
        const id = this.newId();
        this.enqueue({ id, ts, frame: { type: 'dm', to: command.to, text: command.text, id } });
        return true;
      }
      case 'nick': {
        const checked = validateName(command.name);
        if (!checked.ok) {
          local('error', `cannot use that name: ${checked.reason}`);
          return false;
        }
        if (nameKey(checked.name) === nameKey(this.state.me) && checked.name === this.state.me)
          return true;
        return this.sendNow({ type: 'nick', name: checked.name });
      }
      case 'who':
        return this.sendNow(
          command.offset === undefined ? { type: 'who' } : { type: 'who', offset: command.offset },
        );
      case 'help':
        local('info', ...COMMAND_HELP, ...LOCAL_HELP, ...KEY_HELP);
        return true;
      case 'clear':
        this.dispatch({ type: 'clear' });
        return true;
      case 'quit':
        void this.quit();
        return true;
      case 'usage':
        local('error', `usage: ${command.usage}`);
        return false;
      case 'unknown':
        local(
          'error',
          `unknown command ${command.command}: /help lists the commands (//text sends a line starting with /)`,
        );
        return false;
      default:
        return assertNever(command);
    }
  }

  private sendNow(frame: ClientFrame): boolean {
    if (this.registered && this.transport.send(frame)) return true;
    this.dispatch({
      type: 'local',
      kind: 'error',
      text: ['not connected: try again when online'],
      ts: this.now(),
    });
    return false;
  }

  private enqueue(item: Outgoing): void {
    this.dispatch({ type: 'outgoing', item });
    if (!this.registered || this.replaying) return; // sent after the next welcome's replay
    this.sendQueue.push(item);
    if (!this.pumpTimer) this.pump();
  }

  /**
   * Finds `query` in the pane: a new query starts from the newest line, the same one steps to
   * the next match `direction`. Returns false when nothing matches (the line stays typed).
   */
  search(query: string, direction: 'older' | 'newer'): boolean {
    const { lines, search } = this.state;
    const again = search !== undefined && search.query === query;
    const match = findMatch(lines, query, again ? search.at : undefined, direction);
    if (match === undefined) {
      if (!again) {
        this.dispatch({
          type: 'local',
          kind: 'error',
          text: [`no match for "${query}"`],
          ts: this.now(),
        });
        return false;
      }
      this.dispatch({ type: 'search', search: { ...search, end: direction } });
      return true;
    }
    const at = { seq: match.seq, sub: match.sub };
    this.dispatch({ type: 'search', search: { query, at, ...matchPosition(lines, query, at) } });
    return true;
  }

  /** Steps the current search; false when there is none. */
  searchAgain(direction: 'older' | 'newer'): boolean {
    const search = this.state.search;
    return search !== undefined && this.search(search.query, direction);
  }

  /** Ends the search and follows the newest line again. */
  endSearch(): void {
    this.dispatch({ type: 'search', search: undefined });
    this.dispatch({ type: 'scroll', anchor: null });
  }

  /** Asks the server for older events when the user scrolls to the top. */
  requestOlder(): void {
    const { history, lines } = this.state;
    if (!history.more || history.loading || history.before === undefined) return;
    if (lines.length >= MAX_LINES) return;
    this.requestHistory(history.before);
  }

  private requestHistory(before: number): void {
    if (!this.registered) return;
    if (this.transport.send({ type: 'history', before, limit: HISTORY_PAGE })) {
      this.dispatch({ type: 'history_requested' });
    }
  }
}

function assertNever(value: never): never {
  throw new Error(`unexpected ${JSON.stringify(value)}`);
}
