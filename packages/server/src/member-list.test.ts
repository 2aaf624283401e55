import { describe, expect, it, vi } from 'vitest';
import { LIMITS } from '@ciao/protocol';
import { MemberList } from './member-list.js';

const PAGE = LIMITS.usersPageSize;

function listOf(count: number): MemberList {
  const list = new MemberList();
  for (let i = 0; i < count; i++) list.add(`u${i}`);
  return list;
}

function parse(line: string): Record<string, unknown> {
  expect(line.endsWith('}\n')).toBe(true);
  return JSON.parse(line) as Record<string, unknown>;
}

const welcome = {
  type: 'welcome',
  protocol: 1,
  server: 'ciao/test',
  name: 'u0',
  token: 't',
  seq: 3,
  limits: { maxText: 1, maxFrame: 2, ratePerSec: 3, rateBurst: 4 },
} as const;

describe('MemberList', () => {
  it('keeps names in join order through leaves and renames', () => {
    const list = listOf(4);
    list.remove('u1');
    list.rename('u2', 'zed');
    list.add('u9');
    expect(list.all()).toEqual(['u0', 'zed', 'u3', 'u9']);
    expect(list.size).toBe(4);
  });

  it('welcomes with the count and the first page only, past a page of names', () => {
    const list = listOf(PAGE + 500);
    const frame = parse(list.welcomeJson(welcome));
    expect(frame).toMatchObject({ ...welcome, userCount: PAGE + 500 });
    expect(frame['users']).toEqual(list.page(0));
    expect((frame['users'] as string[]).length).toBe(PAGE);
  });

  it('pages users answers from any offset, with offset and total', () => {
    const list = listOf(PAGE + 500);
    expect(parse(list.usersJson(PAGE))).toEqual({
      type: 'users',
      offset: PAGE,
      total: PAGE + 500,
      names: Array.from({ length: 500 }, (_, i) => `u${PAGE + i}`),
    });
    expect(parse(list.usersJson(3))['names']).toEqual(list.page(3));
  });

  it('encodes a page once per change of that page, for welcome and users alike', () => {
    const list = listOf(PAGE + 10);
    const stringify = vi.spyOn(JSON, 'stringify');
    const pagesEncoded = () => stringify.mock.calls.filter(([v]) => Array.isArray(v)).length;
    try {
      for (let i = 0; i < 3; i++) {
        list.usersJson(0);
        list.welcomeJson(welcome);
      }
      expect(pagesEncoded()).toBe(1);
      // A join past the first page leaves its encoding alone.
      list.add('late');
      list.welcomeJson(welcome);
      expect(pagesEncoded()).toBe(1);
      // A leave in the first page re-encodes it, once.
      list.remove('u5');
      expect(parse(list.usersJson(0))['names']).not.toContain('u5');
      expect(parse(list.welcomeJson(welcome))['users']).toEqual(list.page(0));
      expect(pagesEncoded()).toBe(2);
      // So does a rename.
      list.rename('u7', 'seven');
      expect(parse(list.welcomeJson(welcome))['users']).toContain('seven');
      expect(pagesEncoded()).toBe(3);
    } finally {
      stringify.mockRestore();
    }
  });
});
