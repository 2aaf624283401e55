import { describe, expect, it } from 'vitest';
import { emptyHistory, next, previous, remember } from './input-history.js';

describe('input history', () => {
  it('browses back and forth and restores the draft', () => {
    let h = remember(remember(emptyHistory, 'one'), 'two');
    const up1 = previous(h, 'draft')!;
    expect(up1.value).toBe('two');
    const up2 = previous(up1.history, up1.value)!;
    expect(up2.value).toBe('one');
    expect(previous(up2.history, 'one')).toBeUndefined();
    const down1 = next(up2.history)!;
    expect(down1.value).toBe('two');
    const down2 = next(down1.history)!;
    expect(down2.value).toBe('draft');
    expect(next(down2.history)).toBeUndefined();
    h = remember(down2.history, 'two');
    expect(h.entries).toEqual(['one', 'two']);
  });
  it('skips blank lines', () => {
    expect(remember(emptyHistory, '   ').entries).toEqual([]);
  });
});
