import { describe, expect, it } from 'vitest';
import {
  assignColour,
  colourOf,
  MENTION_COLOUR,
  NICK_PALETTE,
  preferredColour,
} from './nick-colours.js';

/** Colours given to `names` joining one after another. */
function assignAll(names: readonly string[]): Map<string, string> {
  const colours = new Map<string, string>();
  const present: string[] = [];
  for (const name of names) {
    present.push(name);
    colours.set(name.toLowerCase(), assignColour(colours, present, name, true));
  }
  return colours;
}

describe('nick colours', () => {
  it('gives five common names five different colours', () => {
    const colours = assignAll(['ann', 'bob', 'cy', 'dave', 'eve']);
    expect(new Set(colours.values()).size).toBe(5);
  });

  it('gives everyone present a colour of their own while the palette lasts', () => {
    const names = Array.from({ length: NICK_PALETTE.length }, (_, i) => `user${i}`);
    expect(new Set(assignAll(names).values()).size).toBe(NICK_PALETTE.length);
  });

  it('starts from the name hash, so a name alone in a room always gets the same colour', () => {
    expect(assignColour(new Map(), [], 'ann')).toBe(NICK_PALETTE[preferredColour('ann')]);
    expect(assignColour(new Map(), [], 'ANN')).toBe(assignColour(new Map(), [], 'ann'));
  });

  it('moves a newcomer off a colour someone present already has', () => {
    // Find two names that hash to the same colour.
    const first = 'ann';
    let second = '';
    for (let i = 0; second === ''; i++)
      if (preferredColour(`n${i}`) === preferredColour(first)) second = `n${i}`;
    const colours = new Map([[first, NICK_PALETTE[preferredColour(first)]!]]);
    const given = assignColour(colours, [first, second], second, true);
    expect(given).not.toBe(colours.get(first));
    // Without anyone else present, the same name takes its own colour.
    expect(assignColour(new Map(), [second], second)).toBe(colours.get(first));
  });

  it('keeps a name colour once given, and changes it on return only if it is taken', () => {
    const colours = new Map([
      ['ann', 'ansi256(39)'],
      ['bob', 'ansi256(39)'],
    ]);
    // Speaking again never changes a colour.
    expect(assignColour(colours, ['ann', 'bob'], 'ann')).toBe('ansi256(39)');
    // Coming back while someone else has it does.
    expect(assignColour(colours, ['ann', 'bob'], 'ann', true)).not.toBe('ansi256(39)');
    expect(assignColour(colours, ['ann'], 'ann', true)).toBe('ansi256(39)');
  });

  it('never uses the mention colour or anything yellow for a name', () => {
    expect(NICK_PALETTE).not.toContain(MENTION_COLOUR);
    for (const colour of NICK_PALETTE)
      expect(colour).not.toMatch(/yellow|ansi256\((3|11|226|220|190)\)/);
    expect(colourOf(new Map(), 'zed')).toBe(NICK_PALETTE[preferredColour('zed')]);
  });
});
