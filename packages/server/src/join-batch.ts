/**
 * When joins are announced (PROTOCOL.md: joins close together are announced together). A join
 * in a calm room goes out at once; one within `windowMs` of the last announcement waits for
 * the next, so a storm of N joins costs each member one write per window instead of N. Pure:
 * the caller owns the clock and the timer.
 */
export class JoinBatch<M> {
  readonly #waiting = new Set<M>();
  #lastAt = -Infinity;

  constructor(readonly windowMs: number) {}

  /**
   * A member registered at `now`: returns 'now' when its join is to be announced at once,
   * else how many ms until the waiting joins are due (the member is then held here).
   */
  offer(member: M, now: number): 'now' | number {
    if (this.#waiting.size === 0 && now - this.#lastAt >= this.windowMs) {
      this.#lastAt = now;
      return 'now';
    }
    this.#waiting.add(member);
    return Math.max(0, this.#lastAt + this.windowMs - now);
  }

  /** Whether `member`'s join is held (it must go out before anything the member does). */
  holds(member: M): boolean {
    return this.#waiting.has(member);
  }

  /** The held members, in the order they registered; the batch counts as announced at `now`. */
  take(now: number): M[] {
    const members = [...this.#waiting];
    this.#waiting.clear();
    if (members.length > 0) this.#lastAt = now;
    return members;
  }

  clear(): void {
    this.#waiting.clear();
  }
}
