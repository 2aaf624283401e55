import { nameKey } from '@ciao/protocol';

/**
 * Name colours: twelve xterm-256 colours about 30° of hue apart (fewer, farther apart colours
 * beat many close ones), readable on dark and light backgrounds.
 * None is yellow (the mention colour), red (errors) or grey (info): a name never looks like
 * a highlight or an error line.
 */
export const NICK_PALETTE = [
  'ansi256(39)', // sky blue
  'ansi256(208)', // orange
  'ansi256(41)', // green
  'ansi256(170)', // orchid
  'ansi256(37)', // teal
  'ansi256(167)', // indian red
  'ansi256(135)', // purple
  'ansi256(106)', // olive green
  'ansi256(205)', // pink
  'ansi256(63)', // slate blue
  'ansi256(130)', // brown
  'ansi256(108)', // sage
] as const;

/** The mention style's colour: no name has it. */
export const MENTION_COLOUR = 'yellowBright';

/** Colour assignments by name key; kept for the session so a name keeps its colour. */
export type NickColours = ReadonlyMap<string, string>;

/**
 * Where a name's colour search starts: FNV-1a of its comparison key (as senpai hashes; weechat
 * uses djb2). Hashing alone gives the same colour to two names in one room about once in
 * twelve pairs, so `assignColour` moves a newcomer on to a colour nobody present has.
 */
export function preferredColour(name: string): number {
  const key = nameKey(name);
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % NICK_PALETTE.length;
}

/**
 * The colour for `name`: the one it already has, else the first colour from its preferred one
 * on that nobody in `present` (other than itself) has; with every colour taken, the least used.
 * A name keeps its colour once given; only when it comes back (`entering`) and someone present
 * has taken its old colour meanwhile does it get another one.
 */
export function assignColour(
  colours: NickColours,
  present: Iterable<string>,
  name: string,
  entering = false,
): string {
  const key = nameKey(name);
  const had = colours.get(key);
  if (had !== undefined && !entering) return had;
  const uses = new Map<string, number>();
  for (const other of present) {
    const otherKey = nameKey(other);
    if (otherKey === key) continue;
    const colour = colours.get(otherKey);
    if (colour !== undefined) uses.set(colour, (uses.get(colour) ?? 0) + 1);
  }
  if (had !== undefined && !uses.has(had)) return had;
  const start = preferredColour(name);
  let best: string = NICK_PALETTE[start]!;
  let bestUses = Infinity;
  for (let i = 0; i < NICK_PALETTE.length; i++) {
    const colour = NICK_PALETTE[(start + i) % NICK_PALETTE.length]!;
    const used = uses.get(colour) ?? 0;
    if (used < bestUses) {
      best = colour;
      bestUses = used;
      if (used === 0) break;
    }
  }
  return best;
}

/** The colour of a name, or its hashed one when it was never assigned. */
export function colourOf(colours: NickColours, name: string): string {
  return colours.get(nameKey(name)) ?? NICK_PALETTE[preferredColour(name)]!;
}
