/**
 * Is the server still there? The client pings a quiet line and reports lag once the pong is
 * late, "not responding" well before it gives up and reconnects. Pure: the connection feeds it
 * the clock.
 */
export interface LivenessOptions {
  /** Ping after this long without a byte from the server. */
  readonly pingAfterMs: number;
  /** An unanswered ping older than this is shown as lag. */
  readonly lagAfterMs: number;
  /** Drop the socket and reconnect after this long without a byte. */
  readonly dropAfterMs: number;
}

export const LIVENESS_DEFAULTS: LivenessOptions = {
  pingAfterMs: 10_000,
  lagAfterMs: 2_000,
  dropAfterMs: 75_000,
};

/** Lag from which the status bar says "not responding" instead of "lag Ns". */
export const NOT_RESPONDING_MS = 15_000;

export interface Liveness {
  /** When the server was last heard from. */
  readonly lastHeard: number;
  /** When our unanswered ping went out; undefined when none is waiting. */
  readonly pingSentAt?: number;
}

export type LivenessStep = {
  readonly state: Liveness;
  /** Send a ping now. */
  readonly ping: boolean;
  /** Give up on this socket. */
  readonly drop: boolean;
  /** How late the pong is, once that counts as lag; undefined otherwise. */
  readonly lagMs: number | undefined;
};

/** Anything from the server answers a ping. */
export function heard(now: number): Liveness {
  return { lastHeard: now };
}

/** What to do at `now`. */
export function livenessStep(
  state: Liveness,
  now: number,
  options: LivenessOptions = LIVENESS_DEFAULTS,
): LivenessStep {
  if (now - state.lastHeard >= options.dropAfterMs)
    return { state, ping: false, drop: true, lagMs: lagOf(state, now, options) };
  if (state.pingSentAt === undefined && now - state.lastHeard >= options.pingAfterMs)
    return { state: { ...state, pingSentAt: now }, ping: true, drop: false, lagMs: undefined };
  return { state, ping: false, drop: false, lagMs: lagOf(state, now, options) };
}

function lagOf(state: Liveness, now: number, options: LivenessOptions): number | undefined {
  if (state.pingSentAt === undefined) return undefined;
  const lag = now - state.pingSentAt;
  return lag >= options.lagAfterMs ? lag : undefined;
}
