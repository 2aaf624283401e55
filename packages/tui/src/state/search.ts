import type { ChatLine } from './chat-reducer.js';
import { compareOrder, lowerBound } from './chat-reducer.js';

/** True when a line's text or the names on it hold `query` (case-insensitively). */
export function lineMatches(line: ChatLine, query: string): boolean {
  const needle = query.toLowerCase();
  if (needle === '') return false;
  const fields = [line.text, line.from, line.to, ...(line.joined ?? []), ...(line.left ?? [])];
  return fields.some((field) => field !== undefined && field.toLowerCase().includes(needle));
}

/**
 * The nearest line holding `query` strictly older (or newer) than `from`; from the newest line
 * when `from` is undefined. Undefined when there is none.
 */
export function findMatch(
  lines: readonly ChatLine[],
  query: string,
  from: { readonly seq: number; readonly sub: number } | undefined,
  direction: 'older' | 'newer',
): ChatLine | undefined {
  if (direction === 'older') {
    const start = from === undefined ? lines.length : lowerBound(lines, from);
    for (let i = start - 1; i >= 0; i--) if (lineMatches(lines[i]!, query)) return lines[i];
    return undefined;
  }
  if (from === undefined) return undefined;
  let i = lowerBound(lines, from);
  if (lines[i] && compareOrder(lines[i]!, from) === 0) i++;
  for (; i < lines.length; i++) if (lineMatches(lines[i]!, query)) return lines[i];
  return undefined;
}

/** How many lines hold `query`, and how many of them are at or after `at`. */
export function matchPosition(
  lines: readonly ChatLine[],
  query: string,
  at: { readonly seq: number; readonly sub: number },
): { readonly index: number; readonly total: number } {
  let total = 0;
  let index = 0;
  for (const line of lines) {
    if (!lineMatches(line, query)) continue;
    total++;
    if (compareOrder(line, at) >= 0) index++;
  }
  return { index, total };
}
