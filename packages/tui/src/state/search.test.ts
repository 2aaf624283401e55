import { describe, expect, it } from 'vitest';
import type { ChatLine } from './chat-reducer.js';
import { findMatch, lineMatches, matchPosition } from './search.js';
import { T0 } from '../test/frames.js';

const line = (seq: number, from: string, text: string): ChatLine => ({
  key: `e${seq}`,
  seq,
  sub: 0,
  ts: T0,
  kind: 'message',
  from,
  text,
});
const lines = [
  line(1, 'bob', 'Deploy at noon'),
  line(2, 'cy', 'ok'),
  line(3, 'deployer', 'done'),
  line(4, 'ann', 'thanks'),
];

describe('search', () => {
  it('matches text and names, ignoring case', () => {
    expect(lineMatches(lines[0]!, 'deploy')).toBe(true);
    expect(lineMatches(lines[2]!, 'DEPLOY')).toBe(true);
    expect(lineMatches(lines[1]!, 'deploy')).toBe(false);
    expect(lineMatches(lines[1]!, '')).toBe(false);
  });

  it('steps older from the newest line, then newer again', () => {
    const first = findMatch(lines, 'deploy', undefined, 'older');
    expect(first?.seq).toBe(3);
    expect(findMatch(lines, 'deploy', first, 'older')?.seq).toBe(1);
    expect(findMatch(lines, 'deploy', lines[0], 'older')).toBeUndefined();
    expect(findMatch(lines, 'deploy', lines[0], 'newer')?.seq).toBe(3);
    expect(findMatch(lines, 'deploy', lines[2], 'newer')).toBeUndefined();
  });

  it('says which match of how many, counting from the newest', () => {
    expect(matchPosition(lines, 'deploy', lines[2]!)).toEqual({ index: 1, total: 2 });
    expect(matchPosition(lines, 'deploy', lines[0]!)).toEqual({ index: 2, total: 2 });
  });
});
