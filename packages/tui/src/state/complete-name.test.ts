import { describe, expect, it } from 'vitest';
import { completeName } from './complete-name.js';

const users = ['ann', 'Bob', 'bobby', 'cy'];

describe('completeName', () => {
  it('completes a name at the start of the line as an address', () => {
    expect(completeName('bo', users, 'ann')?.value).toBe('Bob: ');
  });
  it('completes inside a line with a trailing space', () => {
    expect(completeName('hi C', users, 'ann')?.value).toBe('hi cy ');
  });
  it('cycles through the matches on repeated Tab', () => {
    const first = completeName('b', users, 'ann')!;
    const second = completeName(first.value, users, 'ann', first)!;
    expect(second.value).toBe('bobby: ');
    expect(completeName(second.value, users, 'ann', second)?.value).toBe('Bob: ');
  });
  it('never offers our own name, and does nothing without a match', () => {
    expect(completeName('an', users, 'ann')).toBeUndefined();
    expect(completeName('zz', users, 'ann')).toBeUndefined();
  });
  it('keeps an @ before the name', () => {
    expect(completeName('ping @cy', users, 'ann')?.value).toBe('ping @cy ');
  });
});
