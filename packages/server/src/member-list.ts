import { LIMITS } from '@ciao/protocol';
import type { WelcomeFrame } from '@ciao/protocol';

const PAGE = LIMITS.usersPageSize;

/**
 * The room's names in join order, and their JSON encoding in pages of
 * {@link LIMITS.usersPageSize}: `welcome` and every `users` answer splice in a page encoded
 * once per change of that page, so seating N people no longer encodes O(N²) names. A join
 * appends (only the last page changes); a leave re-encodes the pages from where it was.
 */
export class MemberList {
  readonly #names: string[] = [];
  /**
   * Each page's names as a JSON array, made when first asked for. Text, not a Buffer: kept
   * for as long as the page does not change, it belongs in the JS heap (see
   * `HistoryEntry.json`).
   */
  readonly #pages: (string | undefined)[] = [];

  get size(): number {
    return this.#names.length;
  }

  add(name: string): void {
    this.#names.push(name);
    this.#stale(this.#names.length - 1);
  }

  remove(name: string): void {
    const at = this.#names.indexOf(name);
    if (at < 0) return;
    this.#names.splice(at, 1);
    this.#stale(at);
  }

  rename(from: string, to: string): void {
    const at = this.#names.indexOf(from);
    if (at < 0) return;
    this.#names[at] = to;
    this.#pages[Math.floor(at / PAGE)] = undefined;
  }

  clear(): void {
    this.#names.length = 0;
    this.#pages.length = 0;
  }

  /** Every name, in join order (a copy). */
  all(): string[] {
    return this.#names.slice();
  }

  /** At most one page of names from `offset`. */
  page(offset: number): string[] {
    return this.#names.slice(offset, offset + PAGE);
  }

  /** A `users` answer: the page from `offset`, with `offset` and `total`. */
  usersJson(offset: number): string {
    const head = `{"type":"users","offset":${offset},"total":${this.size},"names":`;
    return head + this.#pageJson(offset) + CLOSE;
  }

  /** A `welcome` carrying `userCount` and the first page of names as `users`. */
  welcomeJson(frame: Omit<WelcomeFrame, 'users' | 'userCount'>): string {
    const head = JSON.stringify(frame).slice(0, -1) + `,"userCount":${this.size},"users":`;
    return head + this.#pageJson(0) + CLOSE;
  }

  #pageJson(offset: number): string {
    if (offset % PAGE !== 0) return JSON.stringify(this.page(offset));
    const i = offset / PAGE;
    return (this.#pages[i] ??= JSON.stringify(this.page(offset)));
  }

  /** The pages from the one holding `index` on no longer match the names. */
  #stale(index: number): void {
    const page = Math.floor(index / PAGE);
    if (this.#pages.length > page) this.#pages.length = page;
  }
}

const CLOSE = '}\n';
