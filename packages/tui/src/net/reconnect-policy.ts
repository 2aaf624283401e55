import type { ErrorCode } from '@ciao/protocol';

/** First retry after about this long; each failure doubles it up to RETRY_MAX_MS. */
export const RETRY_BASE_MS = 500;
export const RETRY_MAX_MS = 30_000;

/**
 * Delay before reconnect attempt `attempt` (1, 2, ...): exponential backoff with jitter, so a
 * restarted server is not hit by every client in the same millisecond. Returns a value in
 * [half, full] of the exponential step; `random` is in [0, 1).
 */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  return jittered(Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** Math.max(0, attempt - 1)), random);
}

/** After `unavailable`, the same frame goes again after about this long, doubling to RESEND_MAX_MS. */
export const RESEND_BASE_MS = 1_000;
export const RESEND_MAX_MS = 8_000;

/**
 * Delay before sending a frame again after its `tries`-th `unavailable` (1, 2, ...): the
 * server's shared store is down, and every client of every server waits for it, so the
 * resends are spread out as reconnects are.
 */
export function resendDelay(tries: number, random: () => number = Math.random): number {
  return jittered(Math.min(RESEND_MAX_MS, RESEND_BASE_MS * 2 ** Math.max(0, tries - 1)), random);
}

function jittered(step: number, random: () => number): number {
  return Math.round(step / 2 + (step / 2) * random());
}

/** What the client does after an `error` from the server. */
export type ErrorPolicy =
  /** Connecting again cannot help (another session took our name, wrong password, ...). */
  | 'stop'
  /** The server closes; reconnect with backoff. */
  | 'retry'
  /** Before `welcome`: the name cannot be used; ask for another. */
  | 'rename'
  /** Shown, the session goes on. */
  | 'show'
  /** Nothing happened (the server's shared store is unreachable): send the same frame later. */
  | 'resend';

export function errorPolicy(code: ErrorCode, registered: boolean): ErrorPolicy {
  switch (code) {
    case 'replaced':
    case 'auth_failed':
    case 'protocol_unsupported':
    case 'tls_required':
      return 'stop';
    case 'server_full':
    case 'shutdown':
    case 'slow_consumer':
      return 'retry';
    case 'unavailable':
      return 'resend';
    case 'name_taken':
    case 'name_invalid':
      return registered ? 'show' : 'rename';
    default:
      return 'show';
  }
}

/** Human words for why a connection is down, from a Node socket error. */
export function describeSocketError(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused (is the server running?)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case 'ETIMEDOUT':
      return 'connection timed out';
    case 'ECONNRESET':
      return 'connection reset by the server';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
    case 'EPIPE':
      return 'connection closed';
    default:
      return error instanceof Error ? error.message : 'connection lost';
  }
}
