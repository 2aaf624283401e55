import { LIMITS } from '@ciao/protocol';

/**
 * One identity's recent `id`s and the seq each created, oldest forgotten first (PROTOCOL.md:
 * the last 1,024 frames). Only `id -> seq`: the event itself is read from the log. The map is
 * made on the first `id`: most identities of a big room never send one (issue 13's memory goal).
 */
export class DedupeWindow {
  #ids: Map<string, number> | undefined;

  get(id: string): number | undefined {
    return this.#ids?.get(id);
  }

  add(id: string, seq: number): void {
    const ids = (this.#ids ??= new Map<string, number>());
    ids.set(id, seq);
    if (ids.size > LIMITS.dedupeWindow) ids.delete(ids.keys().next().value as string);
  }
}
