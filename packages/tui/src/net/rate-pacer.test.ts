import { describe, expect, it } from 'vitest';
import { RatePacer } from './rate-pacer.js';

describe('RatePacer', () => {
  it('allows a burst, then paces at the rate', () => {
    let now = 0;
    const pacer = new RatePacer(2, 3, () => now);
    expect([pacer.take(), pacer.take(), pacer.take(), pacer.take()]).toEqual([
      true,
      true,
      true,
      false,
    ]);
    expect(pacer.waitMs()).toBe(500);
    now = 500;
    expect(pacer.take()).toBe(true);
    expect(pacer.take()).toBe(false);
  });
  it('keeps a margin under the server limits', () => {
    let now = 0;
    const pacer = new RatePacer(5, 20, () => now);
    pacer.configure(5, 20);
    let sent = 0;
    while (pacer.take()) sent++;
    expect(sent).toBe(18);
    now = 1000;
    sent = 0;
    while (pacer.take()) sent++;
    expect(sent).toBeLessThan(5);
  });
  it('does not pace when the server has no rate limit', () => {
    const pacer = new RatePacer(0, 0);
    for (let i = 0; i < 100; i++) expect(pacer.take()).toBe(true);
  });
});
