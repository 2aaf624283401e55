import { describe, expect, it } from 'vitest';
import { resolveDataDir } from './data-dir.js';

describe('resolveDataDir', () => {
  it('takes --data when given, made absolute', () => {
    expect(resolveDataDir('/srv/ciao', { XDG_STATE_HOME: '/x' })).toBe('/srv/ciao');
    expect(resolveDataDir('rel', {})).toBe(`${process.cwd()}/rel`);
  });

  it('defaults to $XDG_STATE_HOME/ciao, else ~/.local/state/ciao', () => {
    expect(resolveDataDir(undefined, { XDG_STATE_HOME: '/st', HOME: '/h' })).toBe('/st/ciao');
    expect(resolveDataDir(undefined, { HOME: '/h' })).toBe('/h/.local/state/ciao');
  });

  it('ignores a relative XDG_STATE_HOME, as the XDG rules say', () => {
    expect(resolveDataDir(undefined, { XDG_STATE_HOME: 'st', HOME: '/h' })).toBe(
      '/h/.local/state/ciao',
    );
  });
});
