import { describe, expect, it } from 'vitest';
import { nameSkeletons } from './name-skeletons.js';

describe('nameSkeletons', () => {
  const meet = (a: string, b: string): boolean =>
    nameSkeletons(a).some((k) => nameSkeletons(b).includes(k));

  it.each([
    ['\u0430lice', 'alice'], // Cyrillic а
    ['\u0430lice', 'Alice'],
    ['\u0251lice', 'alice'], // Latin alpha
    ['\u0391\u0392', 'AB'], // Greek capitals
    ['paypa1', 'paypal'],
  ])('gives %j a key of %j', (a, b) => {
    expect(meet(a, b)).toBe(true);
  });

  it('keeps names that do not look alike apart', () => {
    expect(meet('alice', 'alicia')).toBe(false);
    expect(meet('bob', 'rob')).toBe(false);
  });
});
