import { createHash, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { createClient } from '@redis/client';
import type { Logger } from '../log.js';
import { SCRIPTS } from './redis-scripts.js';
import type { ScriptName } from './redis-scripts.js';

/**
 * The Redis side of a room shared by several servers: the connections, the scripts
 * (redis-scripts.ts), the stream reader and the liveness loop. It turns Redis replies into
 * typed results and faults into `unavailable`; what the results mean for members and
 * sessions is {@link SharedRoom}'s business.
 */

/** How long a server's liveness key lives, and how often it is renewed and others reaped. */
export const LIVENESS_TTL_MS = 3_000;
export const HEARTBEAT_MS = 1_000;
/**
 * After (re)connecting, a server waits this long before reaping anyone: after a Redis outage
 * every liveness key has expired, and the other servers need a heartbeat to renew theirs.
 */
export const REAP_GRACE_MS = 2 * LIVENESS_TTL_MS;
/** New requests are refused this long after an empty Redis was restored, so every server
 *  writes back the events it holds before the room goes on (see RESTORE_EVENTS). */
export const RESTORE_GATE_MS = 2_000;
/** Tokens unused this long are forgotten. */
export const TOKEN_TTL_S = 7 * 24 * 3_600;
/** A server that cannot reach Redis this long at start gives up (and says why). */
const START_TIMEOUT_MS = 5_000;
const READ_COUNT = 1_000;
const READ_BLOCK_MS = 5_000;
const LOAD_PAGE = 10_000;

/** One entry of the room's stream. */
export type StreamRecord =
  | {
      readonly kind: 'event';
      readonly seq: number;
      /** The event's JSON as stored (wire order, no newline). */
      readonly json: string;
      /** join/leave/nick: whose. */
      readonly subject?: number;
      /** dm: its two ends. */
      readonly ends?: readonly [number, number];
      /** The sender, when the event carries a dedupe `id`. */
      readonly sender?: number;
    }
  /** A token reclaimed `identity` on another server: `server` must drop its connection. */
  | { readonly kind: 'replace'; readonly server: string; readonly identity: number };

/** A member as the `members` hash records it. */
export interface MemberRecord {
  readonly identity: number;
  readonly server: string;
  readonly name: string;
  /** The seq of its join (orders the member list). */
  readonly joinSeq: number;
}

export type Unavailable = { readonly kind: 'unavailable' };

export type RegisterReply =
  | { readonly kind: 'joined'; readonly identity: number; readonly token: string }
  | {
      readonly kind: 'reclaim';
      readonly identity: number;
      readonly token: string;
      readonly oldServer: string;
    }
  | { readonly kind: 'taken'; readonly holder: string; readonly lookAlike: boolean }
  | Unavailable;

export type PostReply =
  | { readonly kind: 'ok'; readonly seq: number }
  | { readonly kind: 'duplicate'; readonly seq: number }
  | { readonly kind: 'no_such_user' }
  | { readonly kind: 'gone' }
  | Unavailable;

export type NickReply =
  | { readonly kind: 'ok'; readonly seq: number }
  | { readonly kind: 'taken'; readonly holder: string; readonly lookAlike: boolean }
  | { readonly kind: 'gone' }
  | Unavailable;

export interface StartState {
  readonly epoch: string;
  /** The members as of `seq`. */
  readonly members: readonly MemberRecord[];
  readonly seq: number;
  /** The retained stream up to at least `seq`, oldest first. */
  readonly records: readonly StreamRecord[];
}

/** What a server writes back when Redis lost the room. */
export interface RestoreSource {
  readonly epoch: string;
  /** The last seq this server holds. */
  readonly head: number;
  readonly maxIdentity: number;
  /** The events it holds, oldest first. */
  events(): Iterable<StreamRecord & { kind: 'event'; id?: string }>;
  /** Its own members. */
  members(): Iterable<{
    identity: number;
    token: string;
    name: string;
    key: string;
    looks: readonly [string, string];
    joinSeq: number;
  }>;
}

export interface RedisStoreHandlers {
  /** Records read from the stream, in order (never the ones {@link start} returned). */
  onRecords(records: readonly StreamRecord[]): void;
  /** Redis became unreachable. */
  onDown(): void;
  /** Redis is reachable again and the room is consistent (`restored`: it had lost it). */
  onUp(restored: boolean): void;
  /** Other servers took this server's members over: its sessions must end. */
  onLost(): void;
  /** What to write back when Redis lost the room. */
  restoreSource(): RestoreSource;
}

export interface RedisStoreOptions {
  readonly url: string;
  /** The room's key prefix (a hash tag keeps a room in one cluster slot). */
  readonly prefix?: string;
  readonly maxLen: number;
  readonly dedupeWindow: number;
  readonly log: Logger;
}

type Client = ReturnType<typeof createClient>;

export class RedisStore {
  /** This server's id among those sharing the room. */
  readonly server = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  readonly #prefix: string;
  readonly #maxLen: string;
  readonly #window: string;
  readonly #log: Logger;
  readonly #cmd: Client;
  readonly #reader: Client;
  readonly #shas = new Map<ScriptName, string>();
  #handlers: RedisStoreHandlers | undefined;
  /** The last stream ID read. */
  #lastId = '0-0';
  #up = false;
  #closed = false;
  #connectedAt = 0;
  #timer: NodeJS.Timeout | undefined;
  #restoring: Promise<void> | undefined;
  #lastError: string | undefined;
  /** `start` is done: a `ready` from now on is a reconnect. */
  #started = false;

  constructor(options: RedisStoreOptions) {
    this.#prefix = options.prefix ?? 'ciao:{room}:';
    this.#maxLen = String(options.maxLen);
    this.#window = String(options.dedupeWindow);
    this.#log = options.log;
    const clientOptions = {
      ...redisTarget(options.url),
      disableOfflineQueue: true,
    };
    const reconnect = (retries: number): number => Math.min(50 * 2 ** retries, 500);
    this.#cmd = createClient({
      ...clientOptions,
      socket: { ...clientOptions.socket, reconnectStrategy: reconnect },
    } as Parameters<typeof createClient>[0]);
    this.#reader = this.#cmd.duplicate();
    this.#cmd.on('error', (err: Error) => this.#fault(err));
    this.#reader.on('error', () => {});
    this.#cmd.on('ready', () => this.#ready());
  }

  /** Connects, registers this server and reads the room (members, retained history). */
  async start(epoch: string, handlers: RedisStoreHandlers): Promise<StartState> {
    this.#handlers = handlers;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(this.#lastError ?? 'no answer')), START_TIMEOUT_MS);
    });
    try {
      await Promise.race([Promise.all([this.#cmd.connect(), this.#reader.connect()]), timeout]);
    } finally {
      clearTimeout(timer);
    }
    const reply = (await this.#script('start', [
      this.server,
      String(LIVENESS_TTL_MS),
      epoch,
    ])) as string[];
    const [roomEpoch, seq, ...flat] = reply;
    const members: MemberRecord[] = [];
    for (let i = 0; i < flat.length; i += 2) {
      const rec = JSON.parse(flat[i + 1]!) as { s: string; n: string; j: number };
      members.push({ identity: Number(flat[i]), server: rec.s, name: rec.n, joinSeq: rec.j });
    }
    members.sort((a, b) => a.joinSeq - b.joinSeq);
    const records: StreamRecord[] = [];
    let from = '-';
    for (;;) {
      const page = (await this.#cmd.sendCommand([
        'XRANGE',
        this.#key('log'),
        from,
        '+',
        'COUNT',
        String(LOAD_PAGE),
      ])) as RawEntry[];
      for (const entry of page) records.push(parseEntry(entry));
      if (page.length > 0) this.#lastId = page[page.length - 1]![0];
      if (page.length < LOAD_PAGE) break;
      from = `(${page[page.length - 1]![0]}`;
    }
    this.#up = true;
    this.#started = true;
    this.#connectedAt = Date.now();
    this.#timer = setInterval(() => void this.#tick(), HEARTBEAT_MS);
    this.#timer.unref();
    void this.#readLoop();
    return { epoch: roomEpoch!, seq: Number(seq), members, records };
  }

  get up(): boolean {
    return this.#up;
  }

  register(
    name: string,
    key: string,
    looks: readonly [string, string],
    token: string | undefined,
    newToken: string,
  ): Promise<RegisterReply> {
    return this.#request(
      'register',
      [
        this.server,
        name,
        key,
        looks[0],
        looks[1],
        token ?? '',
        newToken,
        tail({ name }),
        String(TOKEN_TTL_S),
      ],
      (r) => {
        switch (r[0]) {
          case 'joined':
            return { kind: 'joined', identity: Number(r[1]), token: String(r[2]) };
          case 'reclaim':
            return {
              kind: 'reclaim',
              identity: Number(r[1]),
              token: String(r[2]),
              oldServer: String(r[3]),
            };
          case 'taken':
            return { kind: 'taken', holder: String(r[1]), lookAlike: r[2] === 'look' };
          default:
            return { kind: 'unavailable' };
        }
      },
    );
  }

  /** A `message` (say, action) or `dm`; `fields` are the event's fields after type/seq/ts. */
  post(
    identity: number,
    kind: 'message' | 'dm',
    fields: Record<string, unknown>,
    id: string | undefined,
    to?: { key: string; identity: number },
  ): Promise<PostReply> {
    return this.#request(
      'post',
      [
        this.server,
        String(identity),
        kind,
        tail(fields),
        id ?? '',
        to?.key ?? '',
        to ? String(to.identity) : '',
        this.#window,
      ],
      (r) => {
        switch (r[0]) {
          case 'ok':
            return { kind: 'ok', seq: Number(r[1]) };
          case 'dup':
            return { kind: 'duplicate', seq: Number(r[1]) };
          case 'nouser':
            return { kind: 'no_such_user' };
          case 'gone':
            return { kind: 'gone' };
          default:
            return { kind: 'unavailable' };
        }
      },
    );
  }

  nick(
    identity: number,
    from: string,
    name: string,
    key: string,
    looks: readonly [string, string],
  ): Promise<NickReply> {
    return this.#request(
      'nick',
      [this.server, String(identity), name, key, looks[0], looks[1], tail({ from, to: name })],
      (r) => {
        switch (r[0]) {
          case 'ok':
            return { kind: 'ok', seq: Number(r[1]) };
          case 'taken':
            return { kind: 'taken', holder: String(r[1]), lookAlike: r[2] === 'look' };
          case 'gone':
            return { kind: 'gone' };
          default:
            return { kind: 'unavailable' };
        }
      },
    );
  }

  /** The member leaves (if this server still holds it): false when Redis was unreachable. */
  async leave(identity: number, reason: string): Promise<boolean> {
    const reply = await this.#request('leave', [this.server, String(identity), reason], (r) => r);
    return !('kind' in reply);
  }

  /** Stops the loops; with `keepAliveMs`, the liveness key outlives this server that long,
   *  so its members can reclaim their names on another server before they are reaped. */
  async close(keepAliveMs = 0): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    try {
      if (this.#up && keepAliveMs > 0)
        await this.#cmd.sendCommand([
          'SET',
          this.#key(`alive:${this.server}`),
          '1',
          'PX',
          String(keepAliveMs),
        ]);
    } catch {
      // Unreachable: the key expires on its own.
    }
    this.#reader.destroy();
    this.#cmd.destroy();
  }

  // ------------------------------------------------------------------ internals

  #key(name: string): string {
    return this.#prefix + name;
  }

  async #request<T>(
    name: ScriptName,
    args: string[],
    parse: (reply: unknown[]) => T,
  ): Promise<T | Unavailable> {
    if (!this.#up) return { kind: 'unavailable' };
    try {
      return parse((await this.#script(name, args)) as unknown[]);
    } catch (err) {
      if (isConnectionError(err)) return { kind: 'unavailable' };
      throw err;
    }
  }

  async #script(name: ScriptName, args: string[]): Promise<unknown> {
    const argv = [this.#prefix, this.#maxLen, ...args];
    let sha = this.#shas.get(name);
    if (sha === undefined) {
      sha = createHash('sha1').update(SCRIPTS[name]).digest('hex');
      this.#shas.set(name, sha);
    }
    try {
      return await this.#cmd.sendCommand(['EVALSHA', sha, '0', ...argv]);
    } catch (err) {
      // Not cached yet (a new or restarted Redis): EVAL caches it for the next EVALSHA.
      if (err instanceof Error && err.message.startsWith('NOSCRIPT'))
        return await this.#cmd.sendCommand(['EVAL', SCRIPTS[name], '0', ...argv]);
      throw err;
    }
  }

  #fault(err: Error): void {
    this.#lastError = err.message || err.constructor.name;
    if (this.#closed) return;
    if (this.#up) {
      this.#up = false;
      this.#log.warn('redis unreachable', { error: err.message });
      this.#handlers?.onDown();
    }
  }

  /** (Re)connected: after a fault, make the room consistent before serving again. */
  #ready(): void {
    if (this.#closed || this.#up || !this.#started || this.#restoring) return;
    this.#restoring = this.#restore()
      .catch((err: unknown) => {
        this.#log.error('redis restore failed', { error: String(err) });
      })
      .finally(() => {
        this.#restoring = undefined;
      });
  }

  async #restore(): Promise<void> {
    const handlers = this.#handlers!;
    const source = handlers.restoreSource();
    const state = (await this.#script('restore', [
      this.server,
      String(LIVENESS_TTL_MS),
      source.epoch,
      String(source.head),
      String(source.maxIdentity),
      String(RESTORE_GATE_MS),
    ])) as string;
    if (state === 'other') {
      this.#log.error('redis holds another room (another epoch): not serving from it');
      return;
    }
    if (state === 'reaped') {
      handlers.onLost();
      await this.#script('start', [this.server, String(LIVENESS_TTL_MS), source.epoch]);
    }
    const restored = state === 'fresh';
    if (restored) {
      const batch: string[] = [this.#window];
      let count = 0;
      const flush = async (): Promise<void> => {
        if (count === 0) return;
        await this.#script('restoreEvents', batch);
        batch.length = 1;
        count = 0;
      };
      for (const e of source.events()) {
        batch.push(
          String(e.seq),
          e.json,
          e.subject !== undefined ? String(e.subject) : '',
          e.ends ? String(e.ends[0]) : '',
          e.ends ? String(e.ends[1]) : '',
          e.sender !== undefined ? String(e.sender) : '',
          e.id ?? '',
        );
        if (++count === 500) await flush();
      }
      await flush();
      for (const m of source.members()) {
        const reply = await this.#script('restoreMember', [
          this.server,
          String(m.identity),
          m.token,
          m.name,
          m.key,
          m.looks[0],
          m.looks[1],
          String(m.joinSeq),
          String(TOKEN_TTL_S),
        ]);
        if (reply !== 'ok') this.#log.error('restore: a name is held twice', { name: m.name });
      }
    }
    this.#up = true;
    this.#connectedAt = Date.now();
    this.#log.info('redis reachable', { restored });
    handlers.onUp(restored);
  }

  async #tick(): Promise<void> {
    if (!this.#up || this.#closed) return;
    try {
      const beat = await this.#script('heartbeat', [this.server, String(LIVENESS_TTL_MS)]);
      if (beat === 'reaped') {
        // Lost the room (reaped, or an empty Redis): the restore path decides which.
        this.#up = false;
        this.#handlers?.onDown();
        this.#ready();
        return;
      }
      if (Date.now() - this.#connectedAt < REAP_GRACE_MS) return;
      const reaped = (await this.#script('reap', [this.server])) as number;
      if (reaped > 0) this.#log.info('reaped members of a lost server', { members: reaped });
    } catch (err) {
      if (!isConnectionError(err)) this.#log.error('liveness failed', { error: String(err) });
    }
  }

  async #readLoop(): Promise<void> {
    while (!this.#closed) {
      let reply: [string, RawEntry[]][] | Record<string, RawEntry[]> | null;
      try {
        reply = (await this.#reader.sendCommand([
          'XREAD',
          'COUNT',
          String(READ_COUNT),
          'BLOCK',
          String(READ_BLOCK_MS),
          'STREAMS',
          this.#key('log'),
          this.#lastId,
        ])) as typeof reply;
      } catch (err) {
        if (this.#closed) return;
        if (!isConnectionError(err)) this.#log.error('stream read failed', { error: String(err) });
        await new Promise((resolve) => setTimeout(resolve, 100));
        continue;
      }
      if (!reply) continue;
      // One stream asked for: node-redis answers with [[key, entries]] or {key: entries}.
      const entries = (Array.isArray(reply) ? reply[0]?.[1] : Object.values(reply)[0]) ?? [];
      if (entries.length === 0) continue;
      const records = entries.map(parseEntry);
      this.#lastId = entries[entries.length - 1]![0];
      this.#handlers?.onRecords(records);
    }
  }
}

type RawEntry = [string, string[]];

function parseEntry([id, flat]: RawEntry): StreamRecord {
  const fields = new Map<string, string>();
  for (let i = 0; i < flat.length; i += 2) fields.set(flat[i]!, flat[i + 1]!);
  const [seq, sub] = id.split('-');
  if (sub !== '0') {
    return {
      kind: 'replace',
      server: fields.get('s') ?? '',
      identity: Number(fields.get('i')),
    };
  }
  const subject = fields.get('i');
  const a = fields.get('a');
  const sender = fields.get('d');
  return {
    kind: 'event',
    seq: Number(seq),
    json: fields.get('e') ?? '{}',
    ...(subject !== undefined ? { subject: Number(subject) } : {}),
    ...(a !== undefined ? { ends: [Number(a), Number(fields.get('b'))] as const } : {}),
    ...(sender !== undefined ? { sender: Number(sender) } : {}),
  };
}

/** The JSON of an event's fields after `type`, `seq` and `ts` (the script writes those). */
function tail(fields: Record<string, unknown>): string {
  const json = JSON.stringify(fields);
  return json === '{}' ? '}' : ',' + json.slice(1);
}

function isConnectionError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const name = err.constructor.name;
  return (
    name === 'ClientOfflineError' ||
    name === 'SocketClosedUnexpectedlyError' ||
    name === 'ClientClosedError' ||
    name === 'ConnectionTimeoutError' ||
    /ECONNREFUSED|ECONNRESET|ENOENT|EPIPE|closed|offline/i.test(err.message) ||
    err.message.startsWith('LOADING')
  );
}

/** `redis://HOST:PORT[/DB]` (and `rediss://`) as node-redis reads it, or `unix:/path`. */
export function redisTarget(url: string): {
  url?: string;
  socket?: { path: string; tls: false };
} {
  if (url.startsWith('unix:')) {
    const path = url.replace(/^unix:(\/\/)?/, '');
    return { socket: { path, tls: false } };
  }
  return { url };
}
