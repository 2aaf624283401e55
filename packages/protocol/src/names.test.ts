import { describe, expect, it } from 'vitest';
import { nameKey, validateName } from './names.js';

describe('validateName', () => {
  it.each([
    'alice',
    'Bob_2',
    'x',
    'a.b-c',
    '9lives',
    'José',
    'Ünïcödé',
    '日本語',
    'ⅣX',
    'a'.repeat(24),
  ])('accepts %j', (name) => {
    expect(validateName(name)).toEqual({ ok: true, name });
  });

  it.each([
    ['', 'empty'],
    ['a'.repeat(25), 'at most 24'],
    ['_alice', 'start with a letter or a digit'],
    ['.alice', 'start with a letter or a digit'],
    ['al ice', 'U+0020'],
    ['al\x1b[31mice', 'U+001B'],
    ['alice\n', 'U+000A'],
    ['ali\u202ece', 'U+202E'],
    ['ali@ce', '"@"'],
    ['😀', 'start with a letter or a digit'],
    ['\u3164', 'invisible'],
    ['a\u3164b', 'U+3164'],
    ['\u115f', 'invisible'],
    ['x\u1160', 'invisible'],
    ['\uffa0', 'invisible'],
    ['a\u2800', 'U+2800'],
    ['a\u00ad', 'invisible'],
    ['e\u0301\u0301\u0301', 'at most 2 combining marks'],
    ['a' + '\u0301'.repeat(23), 'at most 2 combining marks'],
  ])('rejects %j with a reason (%s)', (name, reason) => {
    const result = validateName(name);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.code).toBe('name_invalid');
      expect(result.reason).toContain(reason);
    }
  });

  it('counts length in code points, not UTF-16 units', () => {
    expect(validateName('𝒜'.repeat(24)).ok).toBe(true);
    expect(validateName('𝒜'.repeat(25)).ok).toBe(false);
  });
});

describe('nameKey', () => {
  it('makes Alice, alice and fullwidth ＡＬＩＣＥ the same name', () => {
    expect(nameKey('Alice')).toBe('alice');
    expect(nameKey('alice')).toBe('alice');
    expect(nameKey('ＡＬＩＣＥ')).toBe('alice');
  });

  it('folds case beyond ASCII', () => {
    expect(nameKey('STRASSE')).toBe(nameKey('straße'));
    expect(nameKey('ÉLODIE')).toBe(nameKey('élodie'));
  });

  it('treats composed and decomposed accents as one name', () => {
    expect(nameKey('Jose\u0301')).toBe(nameKey('José'));
  });

  it('keeps different names apart', () => {
    expect(nameKey('alice')).not.toBe(nameKey('alicia'));
  });
});
