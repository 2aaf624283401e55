import { describe, expect, it } from 'vitest';
import { JoinBatch } from './join-batch.js';

describe('JoinBatch', () => {
  it('announces a join in a calm room at once', () => {
    const joins = new JoinBatch<string>(50);
    expect(joins.offer('ann', 1_000)).toBe('now');
    expect(joins.offer('bob', 1_100)).toBe('now');
    expect(joins.holds('bob')).toBe(false);
  });

  it('holds the joins of a storm and hands them over together, in order, once per window', () => {
    const joins = new JoinBatch<string>(50);
    expect(joins.offer('ann', 1_000)).toBe('now');
    expect(joins.offer('bob', 1_010)).toBe(40);
    expect(joins.offer('cy', 1_030)).toBe(20);
    expect(joins.holds('bob')).toBe(true);
    expect(joins.take(1_050)).toEqual(['bob', 'cy']);
    expect(joins.holds('bob')).toBe(false);
    // The storm goes on: the next join waits for the next window, not for the calm.
    expect(joins.offer('dee', 1_060)).toBe(40);
    expect(joins.take(1_100)).toEqual(['dee']);
    // Calm again.
    expect(joins.offer('eve', 1_200)).toBe('now');
  });

  it('keeps holding while others wait, even past the window', () => {
    const joins = new JoinBatch<string>(50);
    joins.offer('ann', 0);
    joins.offer('bob', 10);
    expect(joins.offer('cy', 500)).toBe(0);
    expect(joins.take(500)).toEqual(['bob', 'cy']);
  });
});
