import { describe, expect, it } from 'vitest';
import { noColourRequested } from './use-colour.js';

describe('noColourRequested', () => {
  it('follows no-color.org: NO_COLOR set and not empty turns colour off', () => {
    expect(noColourRequested({ NO_COLOR: '1' })).toBe(true);
    expect(noColourRequested({ NO_COLOR: 'yes' })).toBe(true);
    expect(noColourRequested({ NO_COLOR: '' })).toBe(false);
    expect(noColourRequested({})).toBe(false);
  });
});
