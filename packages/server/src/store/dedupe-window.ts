import { LIMITS } from '@ciao/protocol';

/**
 * One identity's recent `id`s and the seq each created, oldest forgotten first (PROTOCOL.md:
 * the last 1,024 frames). Only `id -> seq`: the event itself is read from the log.
 */
export class DedupeWindow {
  readonly #ids = new Map<string, number>();

  get(id: string): number | undefined {
    return this.#ids.get(id);
  }

  add(id: string, seq: number): void {
    this.#ids.set(id, seq);
    if (this.#ids.size > LIMITS.dedupeWindow)
      this.#ids.delete(this.#ids.keys().next().value as string);
  }
}
