import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import type { ChatEvent } from '@ciao/protocol';
import { encodeFrameString, LIMITS } from '@ciao/protocol';
import { DedupeWindow } from './dedupe-window.js';
import { NameClaims } from './name-claims.js';
import { RecentRing } from './recent-ring.js';
import { newEpoch } from './memory-log.js';
import type {
  AppendResult,
  DedupeKey,
  EventDraft,
  HistoryEntry,
  IdentityRecord,
  Retention,
  RoomLog,
} from './room-log.js';
import { stamp } from './room-log.js';

export interface SqliteLogOptions {
  /** The database file (created with its tables when missing). */
  readonly file: string;
  readonly retention: Retention;
  readonly now?: () => number;
}

/** A released identity is forgotten after this long (its token no longer reclaims anything). */
const IDENTITY_TTL_MS = 7 * 24 * 3600_000;
/** Retention runs at most this often, in the commit that follows: often enough that each run
 * deletes little (a few thousand rows at 1,000 msg/s), so it never stalls the loop for long. */
const TRIM_EVERY_MS = 5_000;
/** Newest events kept in memory too: replays of a join or a short reconnect read no rows. */
const CACHED_EVENTS = 1_000;
/** Dedupe windows held in memory for released identities; the rest are read back on reclaim. */
const CACHED_WINDOWS = 1_000;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
  CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY,
    ts INTEGER NOT NULL,
    line BLOB NOT NULL,
    end_a INTEGER,
    end_b INTEGER,
    sender INTEGER,
    cid TEXT
  ) STRICT;
  CREATE INDEX IF NOT EXISTS events_by_sender ON events (sender, seq) WHERE cid IS NOT NULL;
  -- AUTOINCREMENT: an id is never reused, so no new identity inherits a forgotten one's
  -- dms or dedupe window (both refer to identity ids).
  CREATE TABLE IF NOT EXISTS identities (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash BLOB NOT NULL UNIQUE,
    released_at INTEGER
  ) STRICT;
`;

interface EventRow {
  seq: number;
  line: Buffer;
  end_a: number | null;
  end_b: number | null;
}

/**
 * The room log in an embedded SQLite file (WAL). Appends go into one transaction per
 * event-loop turn, committed by {@link commit} before that turn's output is written. Each
 * event's JSON line is stored as sent, so a replay is a range read of the primary key.
 * Seqs continue from the file across restarts (the head is kept even when retention has
 * removed every event); the epoch is made once, with the file.
 */
export class SqliteLog implements RoomLog {
  readonly epoch: string;
  readonly file: string;
  readonly #db: Database.Database;
  readonly #retention: Retention;
  readonly #now: () => number;
  readonly #stmt: ReturnType<typeof prepare>;
  readonly #windows = new Map<number, DedupeWindow>();
  readonly #names = new NameClaims();
  readonly #recent: RecentRing;
  #head: number;
  #committedHead: number;
  #inTurn = false;
  #lastTrim = 0;

  constructor(options: SqliteLogOptions) {
    this.file = options.file;
    this.#retention = options.retention;
    this.#now = options.now ?? Date.now;
    const db = new Database(options.file, { timeout: 200 });
    this.#db = db;
    // One server per file: the lock is taken by the setup transaction below and held until
    // close (or the process dies), so a second server on the same data fails at start.
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = WAL');
    // A commit is written to the WAL before the turn's output goes out, so a process crash
    // loses nothing acknowledged; FULL also syncs it to disk, so a power cut does not either.
    db.pragma('synchronous = FULL');
    db.exec(SCHEMA);
    this.#stmt = prepare(db);
    const meta = (key: string): string | undefined =>
      (this.#stmt.getMeta.get(key) as { value: string } | undefined)?.value;
    const setup = db.transaction(() => {
      let epoch = meta('epoch');
      if (epoch === undefined) {
        epoch = newEpoch();
        this.#stmt.setMeta.run('epoch', epoch);
      }
      const maxSeq = (this.#stmt.maxSeq.get() as { seq: number | null }).seq ?? 0;
      // Nobody holds an identity across a restart: every one starts its time to live now.
      this.#stmt.releaseAll.run(this.#now());
      return { epoch, head: Math.max(Number(meta('head') ?? 0), maxSeq) };
    });
    const { epoch, head } = setup.immediate();
    this.epoch = epoch;
    this.#head = head;
    this.#committedHead = head;
    this.#recent = new RecentRing(CACHED_EVENTS, head + 1);
    this.#trim();
  }

  head(): number {
    return this.#head;
  }

  append(draft: EventDraft, ends?: readonly [number, number], dedupe?: DedupeKey): AppendResult {
    if (dedupe) {
      const seen = this.duplicateOf(dedupe);
      if (seen !== undefined) return { kind: 'duplicate', seq: seen };
    }
    this.#begin();
    const event = stamp(draft, this.#head + 1, this.#now());
    const json = encodeFrameString(event);
    this.#stmt.insert.run(
      event.seq,
      event.ts,
      Buffer.from(json, 'utf8'),
      ends?.[0] ?? null,
      ends?.[1] ?? null,
      dedupe?.identity ?? null,
      dedupe?.id ?? null,
    );
    this.#head = event.seq;
    if (dedupe) this.#window(dedupe.identity).add(dedupe.id, event.seq);
    const entry: HistoryEntry = ends ? { event, ends, json } : { event, json };
    this.#recent.put(entry);
    return { kind: 'appended', entry };
  }

  duplicateOf(key: DedupeKey): number | undefined {
    return this.#window(key.identity).get(key.id);
  }

  *scanBack(before: number, after: number): Iterable<HistoryEntry> {
    yield* this.#recent.scanBack(before, after);
    // Below what the memory holds, the rows (a range read of the primary key).
    const hi = Math.min(before, this.#recent.oldest, this.#head + 1);
    if (hi <= after + 1) return;
    for (const row of this.#stmt.scanBack.iterate(hi, after) as IterableIterator<EventRow>)
      yield toEntry(row);
  }

  get(seq: number): HistoryEntry | undefined {
    const cached = this.#recent.get(seq);
    if (cached) return cached;
    const row = this.#stmt.get.get(seq) as EventRow | undefined;
    return row && toEntry(row);
  }

  createIdentity(token: string): IdentityRecord {
    this.#begin();
    const id = Number(this.#stmt.insertIdentity.run(hashToken(token)).lastInsertRowid);
    this.#windows.set(id, new DedupeWindow());
    return { id, token };
  }

  findIdentity(token: string): IdentityRecord | undefined {
    const row = this.#stmt.findIdentity.get(hashToken(token)) as { id: number } | undefined;
    if (!row) return undefined;
    this.#begin();
    this.#stmt.holdIdentity.run(row.id);
    return { id: row.id, token };
  }

  released(identity: number): void {
    this.#begin();
    this.#stmt.releaseIdentity.run(this.#now(), identity);
    // Keep the window in memory for a quick return, but not for every identity ever seen.
    const window = this.#windows.get(identity);
    if (window) {
      this.#windows.delete(identity);
      this.#windows.set(identity, window);
      if (this.#windows.size > CACHED_WINDOWS + 10_000) this.#evictWindows();
    }
  }

  claimName(key: string, identity: number): number {
    return this.#names.claim(key, identity);
  }

  releaseName(key: string, identity: number): void {
    this.#names.release(key, identity);
  }

  /**
   * Commits (with an fsync) when the turn appended events. Identity writes alone wait for the
   * next such commit: each costs a sync, a join storm made thousands of them, and losing one
   * to a crash is harmless. An identity that was sent nothing acknowledged has nothing to
   * reclaim but its name, which it gets again; once it has, its row was in that commit.
   */
  commit(): void {
    if (!this.#inTurn || this.#head === this.#committedHead) return;
    this.#endTurn();
    if (this.#now() - this.#lastTrim >= TRIM_EVERY_MS) this.#trim();
  }

  close(): void {
    if (!this.#db.open) return;
    if (this.#inTurn) this.#endTurn();
    this.#db.close();
  }

  #endTurn(): void {
    this.#stmt.commit.run();
    this.#inTurn = false;
    this.#committedHead = this.#head;
  }

  #begin(): void {
    if (this.#inTurn) return;
    this.#stmt.begin.run();
    this.#inTurn = true;
  }

  /** The identity's window, read back from its retained events the first time it is needed. */
  #window(identity: number): DedupeWindow {
    let window = this.#windows.get(identity);
    if (window === undefined) {
      window = new DedupeWindow();
      const rows = this.#stmt.recentIds.all(identity, LIMITS.dedupeWindow) as {
        cid: string;
        seq: number;
      }[];
      for (let i = rows.length - 1; i >= 0; i--) window.add(rows[i]!.cid, rows[i]!.seq);
      this.#windows.set(identity, window);
    }
    return window;
  }

  #evictWindows(): void {
    for (const id of this.#windows.keys()) {
      if (this.#windows.size <= CACHED_WINDOWS) break;
      this.#windows.delete(id);
    }
  }

  /** Applies the retention: events beyond the count or older than the age, stale identities. */
  #trim(): void {
    const now = this.#now();
    this.#lastTrim = now;
    const { count, ageMs } = this.#retention;
    this.#db.transaction(() => {
      // Retention may remove every event: the head is kept here so seqs still continue.
      this.#stmt.setMeta.run('head', String(this.#head));
      if (count !== undefined) this.#stmt.trimBelow.run(this.#head - count + 1);
      if (ageMs !== undefined) this.#stmt.trimOlder.run(now - ageMs);
      this.#stmt.forgetIdentities.run(now - IDENTITY_TTL_MS);
    })();
    const oldest = (this.#stmt.minSeq.get() as { seq: number | null }).seq;
    this.#recent.dropBelow(oldest ?? this.#head + 1);
  }
}

function prepare(db: Database.Database) {
  return {
    begin: db.prepare('BEGIN'),
    commit: db.prepare('COMMIT'),
    getMeta: db.prepare('SELECT value FROM meta WHERE key = ?'),
    setMeta: db.prepare(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    ),
    maxSeq: db.prepare('SELECT max(seq) AS seq FROM events'),
    minSeq: db.prepare('SELECT min(seq) AS seq FROM events'),
    insert: db.prepare(
      'INSERT INTO events (seq, ts, line, end_a, end_b, sender, cid) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    scanBack: db.prepare(
      'SELECT seq, line, end_a, end_b FROM events WHERE seq < ? AND seq > ? ORDER BY seq DESC',
    ),
    get: db.prepare('SELECT seq, line, end_a, end_b FROM events WHERE seq = ?'),
    recentIds: db.prepare(
      'SELECT cid, seq FROM events WHERE sender = ? AND cid IS NOT NULL ORDER BY seq DESC LIMIT ?',
    ),
    insertIdentity: db.prepare('INSERT INTO identities (token_hash) VALUES (?)'),
    findIdentity: db.prepare('SELECT id FROM identities WHERE token_hash = ?'),
    holdIdentity: db.prepare('UPDATE identities SET released_at = NULL WHERE id = ?'),
    releaseIdentity: db.prepare('UPDATE identities SET released_at = ? WHERE id = ?'),
    releaseAll: db.prepare('UPDATE identities SET released_at = ? WHERE released_at IS NULL'),
    forgetIdentities: db.prepare('DELETE FROM identities WHERE released_at < ?'),
    trimBelow: db.prepare('DELETE FROM events WHERE seq < ?'),
    // Seq order is time order: delete from the oldest up to the first event young enough.
    trimOlder: db.prepare(
      'DELETE FROM events WHERE seq < coalesce((SELECT seq FROM events WHERE ts >= ? ORDER BY seq LIMIT 1), 9e15)',
    ),
  };
}

function toEntry(row: EventRow): HistoryEntry {
  const json = row.line.toString('utf8');
  const event = JSON.parse(json) as ChatEvent;
  return row.end_a !== null && row.end_b !== null
    ? { event, ends: [row.end_a, row.end_b], json }
    : { event, json };
}

/** Only a hash of a token is stored: the file alone does not let anyone reclaim a name. */
function hashToken(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
