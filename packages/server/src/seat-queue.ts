/**
 * How many registrations are seated per event-loop turn (issue 13). Seating one costs a
 * `welcome` and a replay of up to 100 events, and all of it is written by the turn's flush: a
 * storm that lands hundreds of `hello`s in one turn made one long turn, and the chat waiting
 * behind it. Each turn seats at most `perTurn`; the rest wait, first come first seated, for
 * the next turns, so the flush (and the chat's input) runs in between. Pure: the caller owns
 * the turns (it calls {@link turn} from a setImmediate while {@link busy}).
 */
export class SeatQueue<T> {
  #waiting: T[] = [];
  #head = 0;
  /** Seats given this turn. */
  #used = 0;

  constructor(readonly perTurn: number) {}

  /**
   * A registration arrived: true to seat it now, false when it waits (it is queued). Seats are
   * free only when nobody waits: a turn gives the waiting ones its seats first.
   */
  offer(item: T): boolean {
    if (this.#used < this.perTurn) {
      this.#used++;
      return true;
    }
    this.#waiting.push(item);
    return false;
  }

  /** A new turn: the seats are free again; returns the waiting items to seat now, in order. */
  turn(): T[] {
    const ready = this.#waiting.slice(this.#head, this.#head + this.perTurn);
    this.#head += ready.length;
    if (this.#head === this.#waiting.length) {
      this.#waiting = [];
      this.#head = 0;
    }
    this.#used = ready.length;
    return ready;
  }

  /** Items waiting for a seat. */
  get waiting(): number {
    return this.#waiting.length - this.#head;
  }

  /** Whether the next turn has anything to do (seats to free, or items to seat). */
  get busy(): boolean {
    return this.#used > 0 || this.waiting > 0;
  }

  clear(): void {
    this.#waiting = [];
    this.#head = 0;
    this.#used = 0;
  }
}
