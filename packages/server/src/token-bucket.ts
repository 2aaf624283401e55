/**
 * A token bucket: `ratePerSec` tokens refill per second up to `burst`; each action takes one.
 * Time is passed in (ms), so the bucket is tested without clocks.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly ratePerSec: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.last = now;
  }

  /** Takes one token if there is one; returns false (taking nothing) when empty. */
  take(now: number): boolean {
    if (now > this.last) {
      this.tokens = Math.min(
        this.burst,
        this.tokens + ((now - this.last) * this.ratePerSec) / 1000,
      );
      this.last = now;
    }
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
