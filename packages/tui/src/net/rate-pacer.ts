/**
 * A client-side token bucket mirroring the server's (PROTOCOL.md "Flow control"): messages are
 * held back rather than sent to be refused with `rate_limited`, so resending a long outbox
 * after a reconnect delivers every message.
 */
export class RatePacer {
  private tokens: number;
  private last: number;

  /**
   * @param ratePerSec refill per second; 0 or less means unlimited.
   * @param burst bucket size.
   */
  constructor(
    private ratePerSec: number,
    private burst: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burst;
    this.last = now();
  }

  /** Adopts the server's limits, keeping a safety margin for network jitter. */
  configure(ratePerSec: number, burst: number): void {
    this.ratePerSec = ratePerSec > 0 ? ratePerSec * 0.9 : 0;
    this.burst = Math.max(1, burst - 2);
    this.tokens = Math.min(this.tokens, this.burst);
  }

  private refill(): void {
    const now = this.now();
    if (this.ratePerSec > 0) {
      this.tokens = Math.min(
        this.burst,
        this.tokens + ((now - this.last) / 1000) * this.ratePerSec,
      );
    }
    this.last = now;
  }

  /** Takes a token if one is there. */
  take(): boolean {
    if (this.ratePerSec <= 0) return true;
    this.refill();
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    return false;
  }

  /** Milliseconds until the next token. */
  waitMs(): number {
    if (this.ratePerSec <= 0) return 0;
    this.refill();
    return Math.max(1, Math.ceil(((1 - this.tokens) / this.ratePerSec) * 1000));
  }
}
