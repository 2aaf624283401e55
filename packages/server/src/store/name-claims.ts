/**
 * Who holds which name, for logs whose holders all live in this process (memory, SQLite):
 * nobody holds a name across a restart, so there is nothing to keep on disk.
 */
export class NameClaims {
  readonly #holders = new Map<string, number>();

  claim(key: string, identity: number): number {
    const holder = this.#holders.get(key);
    if (holder !== undefined) return holder;
    this.#holders.set(key, identity);
    return identity;
  }

  release(key: string, identity: number): void {
    if (this.#holders.get(key) === identity) this.#holders.delete(key);
  }
}
