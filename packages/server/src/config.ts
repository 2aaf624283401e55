import { DEFAULT_PORT, DEFAULTS } from '@ciao/protocol';
import type { Retention } from './store/room-log.js';
import type { CertificateFiles } from './tls/credentials.js';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['pretty', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** Everything the server can be told; durations in ms, sizes in bytes. */
export interface ServerConfig {
  readonly host: string;
  readonly port: number;
  /** Required in `hello` when set. */
  readonly password?: string;
  /** Sent as a `notice` after `welcome`. */
  readonly motd?: string;
  /** Registered members at most; the next `hello` gets `server_full`. */
  readonly maxClients: number;
  /** Events kept for replay without persistence (the in-memory ring). */
  readonly historySize: number;
  /** The data directory the room is kept in; none: in memory only (`--no-persist`). */
  readonly dataDir?: string;
  /** How much history the data directory keeps. */
  readonly retention: Retention;
  /** Per-connection token bucket for `say`/`dm`. */
  readonly ratePerSec: number;
  readonly rateBurst: number;
  /** Pending output above which a connection is dropped as a slow consumer. */
  readonly maxOutputBytes: number;
  /** A connection silent this long gets a `ping`. */
  readonly idlePingMs: number;
  /** A connection silent this long is dropped (reason `timeout`). */
  readonly idleTimeoutMs: number;
  /** A connection not registered within this long is closed. */
  readonly registerTimeoutMs: number;
  /** Unregistered connections at most, per remote address and in all (the oldest is closed). */
  readonly maxUnregisteredPerAddress: number;
  readonly maxUnregistered: number;
  /** Unregistered connections younger than this are not closed for the caps above. */
  readonly waitingGraceMs: number;
  /** Output above `maxOutputBytes` for this long makes a slow consumer. */
  readonly slowConsumerGraceMs: number;
  /** A member may rename at most once in this long. */
  readonly nickIntervalMs: number;
  readonly plainPromptDelayMs: number;
  readonly plainLineFlushMs: number;
  readonly shutdownGraceMs: number;
  /**
   * JSON registrations seated per event-loop turn; the rest wait for the next turns, so a
   * join storm's welcomes and replays do not hold up the chat (issue 13). No flag: tests set it.
   */
  readonly seatsPerTurn: number;
  readonly logLevel: LogLevel;
  readonly logFormat: LogFormat;
  /** The certificate for TLS sessions on the same port; none: clear text only. */
  readonly tls?: CertificateFiles;
  /** Refuse clear-text sessions from other machines (loopback stays open). */
  readonly requireTls: boolean;
  /** The Redis that several servers share one room through (`redis://…` or `unix:/path`). */
  readonly redis?: string;
}

/** Persistent history kept by default: the newest 100,000 events (tens of MB). */
export const DEFAULT_RETENTION: Retention = { count: 100_000 };

export function defaultConfig(overrides: Partial<ServerConfig> = {}): ServerConfig {
  return {
    host: '0.0.0.0',
    port: DEFAULT_PORT,
    maxClients: 10_000,
    historySize: DEFAULTS.historySize,
    retention: DEFAULT_RETENTION,
    ratePerSec: DEFAULTS.ratePerSec,
    rateBurst: DEFAULTS.rateBurst,
    maxOutputBytes: DEFAULTS.maxOutputBytes,
    idlePingMs: DEFAULTS.idlePingMs,
    idleTimeoutMs: DEFAULTS.idleTimeoutMs,
    registerTimeoutMs: DEFAULTS.registerTimeoutMs,
    maxUnregisteredPerAddress: DEFAULTS.maxUnregisteredPerAddress,
    maxUnregistered: DEFAULTS.maxUnregistered,
    waitingGraceMs: DEFAULTS.waitingGraceMs,
    slowConsumerGraceMs: DEFAULTS.slowConsumerGraceMs,
    nickIntervalMs: DEFAULTS.nickIntervalMs,
    plainPromptDelayMs: DEFAULTS.plainPromptDelayMs,
    plainLineFlushMs: DEFAULTS.plainLineFlushMs,
    shutdownGraceMs: DEFAULTS.shutdownGraceMs,
    seatsPerTurn: 8,
    logLevel: 'info',
    logFormat: 'pretty',
    requireTls: false,
    ...overrides,
  };
}

/** The command-line flags as meow hands them over (every value a string when given). */
export interface RawFlags {
  readonly port?: string;
  readonly host?: string;
  readonly password?: string;
  readonly motd?: string;
  readonly maxClients?: string;
  readonly history?: string;
  readonly retain?: string;
  readonly rate?: string;
  readonly burst?: string;
  readonly maxOutput?: string;
  readonly idleTimeout?: string;
  readonly registerTimeout?: string;
  readonly maxWaitingPerAddress?: string;
  readonly maxWaiting?: string;
  readonly logLevel?: string;
  readonly logFormat?: string;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  readonly requireTls?: boolean;
  readonly redis?: string;
}

export type ConfigResult = { ok: true; config: ServerConfig } | { ok: false; message: string };

/** Validates flags into a config; the message names the flag and what it accepts. */
export function configFromFlags(flags: RawFlags): ConfigResult {
  const o: { -readonly [K in keyof ServerConfig]?: ServerConfig[K] } = {};
  try {
    if (flags.port !== undefined) o.port = integer('--port', flags.port, 0, 65_535);
    if (flags.host !== undefined) {
      if (flags.host.trim() === '') throw new FlagError('--host must not be empty');
      o.host = flags.host;
    }
    if (flags.password !== undefined) {
      if (flags.password === '') throw new FlagError('--password must not be empty');
      o.password = flags.password;
    }
    if (flags.motd !== undefined && flags.motd !== '') o.motd = flags.motd;
    if (flags.maxClients !== undefined)
      o.maxClients = integer('--max-clients', flags.maxClients, 1, 1_000_000);
    if (flags.history !== undefined)
      o.historySize = integer('--history', flags.history, 1, 10_000_000);
    if (flags.retain !== undefined) o.retention = retention('--retain', flags.retain);
    if (flags.redis !== undefined) o.redis = redisUrl(flags.redis);
    if (o.redis !== undefined && o.retention?.ageMs !== undefined)
      throw new FlagError(
        '--retain with --redis is a number of events only (the stream keeps no age)',
      );
    if (flags.rate !== undefined) o.ratePerSec = positive('--rate', flags.rate, 1_000_000);
    if (flags.burst !== undefined) o.rateBurst = integer('--burst', flags.burst, 1, 1_000_000);
    if (flags.maxOutput !== undefined) o.maxOutputBytes = byteSize('--max-output', flags.maxOutput);
    if (flags.idleTimeout !== undefined) {
      o.idleTimeoutMs = duration('--idle-timeout', flags.idleTimeout);
      // PROTOCOL.md's defaults ping at 30 s of a 75 s timeout: keep that proportion.
      o.idlePingMs = Math.max(1, Math.round(o.idleTimeoutMs * 0.4));
    }
    if (flags.registerTimeout !== undefined)
      o.registerTimeoutMs = duration('--register-timeout', flags.registerTimeout);
    if (flags.maxWaitingPerAddress !== undefined)
      o.maxUnregisteredPerAddress = integer(
        '--max-waiting-per-address',
        flags.maxWaitingPerAddress,
        1,
        1_000_000,
      );
    if (flags.maxWaiting !== undefined)
      o.maxUnregistered = integer('--max-waiting', flags.maxWaiting, 1, 1_000_000);
    if (flags.logLevel !== undefined) o.logLevel = oneOf('--log-level', flags.logLevel, LOG_LEVELS);
    if (flags.logFormat !== undefined)
      o.logFormat = oneOf('--log-format', flags.logFormat, LOG_FORMATS);
    if ((flags.tlsCert === undefined) !== (flags.tlsKey === undefined))
      throw new FlagError('--tls-cert and --tls-key go together: give both files, or neither');
    if (flags.tlsCert !== undefined && flags.tlsKey !== undefined) {
      if (flags.tlsCert === '' || flags.tlsKey === '')
        throw new FlagError('--tls-cert and --tls-key must name files');
      o.tls = { certFile: flags.tlsCert, keyFile: flags.tlsKey };
    }
    if (flags.requireTls === true) o.requireTls = true;
  } catch (err) {
    if (err instanceof FlagError) return { ok: false, message: err.message };
    throw err;
  }
  return { ok: true, config: defaultConfig(o) };
}

class FlagError extends Error {}

function integer(flag: string, value: string, min: number, max: number): number {
  const n = /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max)
    throw new FlagError(`${flag} must be a whole number from ${min} to ${max} (got "${value}")`);
  return n;
}

function positive(flag: string, value: string, max: number): number {
  const n = /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isFinite(n) || n <= 0 || n > max)
    throw new FlagError(`${flag} must be a number above 0 and at most ${max} (got "${value}")`);
  return n;
}

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
};

/** Bytes, optionally with a unit: `4194304`, `512k`, `4MiB`. */
function byteSize(flag: string, value: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
  const unit = m ? SIZE_UNITS[m[2]!.toLowerCase()] : undefined;
  const n = m && unit !== undefined ? Math.round(Number(m[1]) * unit) : NaN;
  if (!Number.isSafeInteger(n) || n < 1024 || n > 1024 ** 3)
    throw new FlagError(
      `${flag} must be a size from 1KiB to 1GiB, in bytes or with a unit like 512k or 4MiB (got "${value}")`,
    );
  return n;
}

const DURATION_UNITS: Record<string, number> = { '': 1000, ms: 1, s: 1000, m: 60_000 };

/** Seconds, or a number with a unit: `75`, `75s`, `500ms`, `2m`. */
function duration(flag: string, value: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/i.exec(value);
  const unit = m ? DURATION_UNITS[(m[2] ?? '').toLowerCase()] : undefined;
  const n = m && unit !== undefined ? Math.round(Number(m[1]) * unit) : NaN;
  if (!Number.isSafeInteger(n) || n < 100 || n > 86_400_000)
    throw new FlagError(
      `${flag} must be a duration from 100ms to 24h: seconds, or a number with ms, s or m (got "${value}")`,
    );
  return n;
}

const AGE_UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A count of events, an age (`30d`, `12h`, `90m`), or both: `100000,30d`. */
function redisUrl(value: string): string {
  if (/^rediss?:\/\/[^/]/.test(value) || /^unix:\/?\/?\/./.test(value)) return value;
  throw new FlagError(
    `--redis takes redis://HOST:PORT or unix:/path/to/redis.sock, not "${value}"`,
  );
}

function retention(flag: string, value: string): Retention {
  const r: { count?: number; ageMs?: number } = {};
  const parts = value.split(',').map((p) => p.trim());
  for (const part of parts) {
    const age = /^(\d+)\s*([mhd])$/i.exec(part);
    if (age && r.ageMs === undefined) {
      r.ageMs = Number(age[1]) * AGE_UNITS[age[2]!.toLowerCase()]!;
      if (r.ageMs > 0) continue;
    } else if (/^\d+$/.test(part) && r.count === undefined) {
      r.count = Number(part);
      if (r.count >= 1 && r.count <= 1e12) continue;
    }
    throw new FlagError(
      `${flag} takes a number of events, an age like 30d, 12h or 90m, or both: 100000,30d (got "${value}")`,
    );
  }
  return r;
}

/** Retention as a person reads it: "the newest 100000 events, none older than 30d". */
export function describeRetention(r: Retention): string {
  const age = r.ageMs === undefined ? undefined : formatAge(r.ageMs);
  if (r.count === undefined) return `events of the last ${age}`;
  return `the newest ${r.count} events${age === undefined ? '' : `, none older than ${age}`}`;
}

function formatAge(ms: number): string {
  for (const unit of ['d', 'h'] as const)
    if (ms % AGE_UNITS[unit]! === 0) return `${ms / AGE_UNITS[unit]!}${unit}`;
  return `${Math.round(ms / 60_000)}m`;
}

function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  const found = allowed.find((a) => a === value);
  if (found === undefined)
    throw new FlagError(`${flag} must be one of ${allowed.join(', ')} (got "${value}")`);
  return found;
}
