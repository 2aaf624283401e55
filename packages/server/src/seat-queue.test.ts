import { describe, expect, it } from 'vitest';
import { SeatQueue } from './seat-queue.js';

describe('SeatQueue', () => {
  it('seats up to perTurn at once, then queues the rest in order', () => {
    const q = new SeatQueue<string>(2);
    expect(['a', 'b', 'c', 'd', 'e'].map((x) => q.offer(x))).toEqual([
      true,
      true,
      false,
      false,
      false,
    ]);
    expect(q.waiting).toBe(3);
    expect(q.turn()).toEqual(['c', 'd']);
    // The seats of this turn are taken by the queue: a newcomer waits behind 'e'.
    expect(q.offer('f')).toBe(false);
    expect(q.turn()).toEqual(['e', 'f']);
    expect(q.turn()).toEqual([]);
    expect(q.busy).toBe(false);
  });

  it('never seats a newcomer ahead of one waiting, even with seats free', () => {
    const q = new SeatQueue<string>(2);
    q.offer('a');
    q.offer('b');
    q.offer('c');
    expect(q.turn()).toEqual(['c']);
    expect(q.offer('d')).toBe(true);
    expect(q.offer('e')).toBe(false);
    expect(q.busy).toBe(true);
  });

  it('is calm again once a turn seated nobody', () => {
    const q = new SeatQueue<string>(1);
    expect(q.offer('a')).toBe(true);
    expect(q.busy).toBe(true);
    expect(q.turn()).toEqual([]);
    expect(q.busy).toBe(false);
    expect(q.offer('b')).toBe(true);
  });
});
