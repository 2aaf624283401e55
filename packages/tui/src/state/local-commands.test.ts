import { describe, expect, it } from 'vitest';
import { parseLocalCommand } from './local-commands.js';

describe('parseLocalCommand', () => {
  it('reads /bell, /reconnect and /search', () => {
    expect(parseLocalCommand('/bell off')).toEqual({ kind: 'bell', mode: 'off' });
    expect(parseLocalCommand('/BELL All')).toEqual({ kind: 'bell', mode: 'all' });
    expect(parseLocalCommand('/bell')).toEqual({ kind: 'bell', mode: undefined });
    expect(parseLocalCommand('/bell loud')).toEqual({
      kind: 'usage',
      usage: '/bell off|mentions|all',
    });
    expect(parseLocalCommand('/reconnect')).toEqual({ kind: 'reconnect' });
    expect(parseLocalCommand('/search  the build ')).toEqual({
      kind: 'search',
      query: 'the build',
    });
    expect(parseLocalCommand('/search')).toEqual({ kind: 'usage', usage: '/search TEXT' });
  });

  it('leaves everything else to the shared parser', () => {
    for (const line of ['hello', '/nick bob', '/bells', '//search x', '/researcher'])
      expect(parseLocalCommand(line)).toBeUndefined();
  });
});
