/** Protocol version spoken by this package (`hello.protocol`, `welcome.protocol`). */
export const PROTOCOL_VERSION = 1;

/** Default TCP port of a ciao server. */
export const DEFAULT_PORT = 7777;

/** Hard limits fixed by PROTOCOL.md; not configurable. */
export const LIMITS = {
  /** Largest client-to-server frame, in bytes, including its newline. */
  maxClientFrameBytes: 65_536,
  /** Largest server-to-client frame, in bytes, including its newline. */
  maxServerFrameBytes: 1_048_576,
  /** Longest `text`, in code points after sanitising. */
  maxTextChars: 4_096,
  /** Most lines in a `text` (line breaks + 1), after sanitising. */
  maxTextLines: 100,
  /** Longest name, in code points. */
  maxNameChars: 24,
  /** Longest client-chosen message `id`, in code points. */
  maxIdChars: 64,
  /** Longest string `nonce`, in code points. */
  maxNonceChars: 64,
  /** Combining marks allowed after one base character of a name. */
  maxNameMarksPerBase: 2,
  /** How many recent `say`/`dm` frames of a session are remembered for `id` deduplication. */
  dedupeWindow: 1_024,
  /** `history.limit` when absent, and its largest allowed value. */
  historyDefaultLimit: 100,
  historyMaxLimit: 500,
  /** Names in one page of the member list: `welcome.users` and each `users` answer. */
  usersPageSize: 1_000,
} as const;

/** Defaults of the server's configurable behaviour (PROTOCOL.md "Flow control and liveness"). */
export const DEFAULTS = {
  /** Token bucket for `say`/`dm`: refill per second and bucket size. */
  ratePerSec: 5,
  rateBurst: 20,
  /** Bytes pending for one connection before it is dropped as a slow consumer. */
  maxOutputBytes: 4 * 1024 * 1024,
  /** Server pings a connection idle this long. */
  idlePingMs: 30_000,
  /** Server drops a connection silent this long (reason `timeout`). */
  idleTimeoutMs: 75_000,
  /** A connection not registered within this long is closed. */
  registerTimeoutMs: 30_000,
  /** Unregistered connections at most, per remote address and in all; the oldest goes first. */
  maxUnregisteredPerAddress: 64,
  maxUnregistered: 4_096,
  /** ...but one younger than this is not closed for it (a crowd behind one address). */
  waitingGraceMs: 1_000,
  /** A member may rename at most once in this long. */
  nickIntervalMs: 5_000,
  /** Output above `maxOutputBytes` after a write for this long makes a slow consumer. */
  slowConsumerGraceMs: 2_000,
  /** A departed token keeps its dedupe window at least this long. */
  departedKeepMs: 10 * 60_000,
  /** Events kept for replay. */
  historySize: 1_000,
  /** Plain-text sessions: prompt for a name after this much silence. */
  plainPromptDelayMs: 1_000,
  /** Plain-text sessions: a partial line counts as a line after this much silence. */
  plainLineFlushMs: 250,
  /** Shutdown closes every connection within this long. */
  shutdownGraceMs: 5_000,
} as const;
