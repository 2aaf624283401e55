import { describe, expect, it } from 'vitest';
import type { ChatLine } from '../state/chat-reducer.js';
import { rowText } from './wrap-rows.js';
import { scrollDown, scrollToTop, scrollUp, visibleWindow } from './visible-window.js';
import { dayOf } from './line-rows.js';
import { T0 } from '../test/frames.js';

const line = (seq: number, text = `line ${seq}`): ChatLine => ({
  key: `e${seq}`,
  seq,
  sub: 0,
  ts: T0,
  kind: 'info',
  text,
});
const content = (n: number) => ({
  lines: Array.from({ length: n }, (_, i) => line(i + 1)),
  pending: [],
});
const shown = (w: ReturnType<typeof visibleWindow>) =>
  w.rows.map((r) =>
    rowText(r.row)
      .replace(/^\d\d:\d\d /, '')
      .trim(),
  );

describe('visibleWindow', () => {
  it('shows the newest rows at the bottom when following', () => {
    const w = visibleWindow(content(10), null, 40, 3);
    expect(shown(w)).toEqual(['line 8', 'line 9', 'line 10']);
    expect(w.atTop).toBe(false);
  });

  it('reports the top when everything fits', () => {
    expect(visibleWindow(content(2), null, 40, 5).atTop).toBe(true);
  });

  it('lays out only what is visible in a long scrollback', () => {
    // Each line counts the times its text is read: laying a line out reads it.
    let reads = 0;
    const counted = Array.from({ length: 5000 }, (_, i) => {
      const l = line(i + 1);
      return Object.defineProperty({ ...l }, 'text', {
        get: () => {
          reads++;
          return l.text;
        },
      });
    });
    const w = visibleWindow({ lines: counted, pending: [] }, null, 80, 30);
    expect(w.rows).toHaveLength(30);
    expect(reads).toBeGreaterThan(0);
    expect(reads).toBeLessThanOrEqual(31);
  });

  it('cuts the top line of the window when it wraps past the top', () => {
    const lines = [line(1, 'aaaa bbbb cccc'), line(2, 'dd')];
    const w = visibleWindow({ lines, pending: [] }, null, 12, 2);
    expect(shown(w)).toEqual(['cccc', 'dd']);
    expect(w.atTop).toBe(false);
  });

  it('shows pending lines after the stored ones', () => {
    const pending = [{ ...line(99, 'mine'), key: 'o1', pending: true }];
    const w = visibleWindow({ lines: content(3).lines, pending }, null, 40, 2);
    expect(shown(w)[1]).toContain('mine');
  });
});

describe('scrolling', () => {
  it('pages up and back down to following', () => {
    const c = content(20);
    const up = scrollUp(c, null, 40, 5, 4);
    expect(up).toEqual({ seq: 16, sub: 0 });
    expect(shown(visibleWindow(c, up, 40, 5))).toEqual([
      'line 12',
      'line 13',
      'line 14',
      'line 15',
      'line 16',
    ]);
    expect(scrollDown(c, up, 40, 2)).toEqual({ seq: 18, sub: 0 });
    expect(scrollDown(c, up, 40, 10)).toBeNull();
  });

  it('stops at the top with the first screen full', () => {
    const c = content(20);
    const top = scrollUp(c, { seq: 3, sub: 0 }, 40, 5, 10);
    expect(top).toEqual({ seq: 5, sub: 0 });
    expect(visibleWindow(c, top, 40, 5).atTop).toBe(true);
  });

  it('does not scroll when everything fits', () => {
    expect(scrollUp(content(3), null, 40, 5, 4)).toBeNull();
  });

  it('keeps the view on the same lines when new ones arrive below', () => {
    const c = content(20);
    const anchor = scrollUp(c, null, 40, 5, 4);
    const more = { lines: [...c.lines, line(21), line(22)], pending: [] };
    expect(shown(visibleWindow(more, anchor, 40, 5))).toEqual(
      shown(visibleWindow(c, anchor, 40, 5)),
    );
  });

  it('reads a line taller than the pane row by row', () => {
    const words = Array.from({ length: 12 }, (_, i) => `word${String(i).padStart(2, '0')}`).join(
      ' ',
    );
    const c = { lines: [line(1, 'first'), line(2, words), line(3, 'last')], pending: [] };
    // width 20: "HH:MM " + 2 words per row -> the long line takes 6 rows; the pane shows 3.
    let anchor = scrollUp(c, null, 20, 3, 1);
    expect(anchor).toEqual({ seq: 2, sub: 0 });
    expect(shown(visibleWindow(c, anchor, 20, 3))).toEqual([
      'word06 word07',
      'word08 word09',
      'word10 word11',
    ]);
    anchor = scrollUp(c, anchor, 20, 3, 2);
    expect(anchor).toEqual({ seq: 2, sub: 0, skip: 2 });
    expect(shown(visibleWindow(c, anchor, 20, 3))).toEqual([
      'word02 word03',
      'word04 word05',
      'word06 word07',
    ]);
    anchor = scrollUp(c, anchor, 20, 3, 10);
    expect(shown(visibleWindow(c, anchor, 20, 3))).toEqual([
      'first',
      'word00 word01',
      'word02 word03',
    ]);
    expect(visibleWindow(c, anchor, 20, 3).atTop).toBe(true);
    expect(scrollDown(c, anchor, 20, 100)).toBeNull();
  });
});

describe('marks in the pane', () => {
  const DAY = 86_400_000;
  const dated = (seq: number, ts: number): ChatLine => ({ ...line(seq), ts });

  it('puts a day row above the first line of each day, and above history older than today', () => {
    const lines = [dated(1, T0 - DAY), dated(2, T0 - DAY + 60_000), dated(3, T0), dated(4, T0)];
    const w = visibleWindow({ lines, pending: [], marks: { today: dayOf(T0) } }, null, 60, 10);
    expect(w.rows.map((r) => rowText(r.row).trim())).toEqual([
      '── Thursday 1 January 2026 ──',
      '14:03 line 1',
      '14:04 line 2',
      '── Friday 2 January 2026 ──',
      '14:03 line 3',
      '14:03 line 4',
    ]);
    // Today's lines alone need no date.
    const today = visibleWindow(
      { lines: lines.slice(2), pending: [], marks: { today: dayOf(T0) } },
      null,
      60,
      10,
    );
    expect(today.rows.map((r) => rowText(r.row).trim())).toEqual(['14:03 line 3', '14:03 line 4']);
  });

  it('shows where kept history begins above the first line, reached by scrolling', () => {
    const c = { ...content(10), marks: { top: '── beginning of kept history ──' } };
    const top = scrollToTop(c, 40, 3);
    expect(shown(visibleWindow(c, top, 40, 3))).toEqual([
      '── beginning of kept history ──',
      'line 1',
      'line 2',
    ]);
  });

  it('draws the read marker under the last line read, not under the newest', () => {
    const c = { ...content(4), marks: { readMarker: { seq: 2, sub: 0 } } };
    expect(shown(visibleWindow(c, null, 60, 10))).toEqual([
      'line 1',
      'line 2',
      '──── new since you scrolled back ────',
      'line 3',
      'line 4',
    ]);
    const last = { ...content(4), marks: { readMarker: { seq: 4, sub: 0 } } };
    expect(shown(visibleWindow(last, null, 60, 10))).not.toContain(
      '──── new since you scrolled back ────',
    );
  });

  it('highlights search matches, the current one differently', () => {
    const lines = [line(1, 'build red'), line(2, 'lunch'), line(3, 'build green')];
    const marks = { search: { query: 'BUILD', at: { seq: 3, sub: 0 } } };
    const w = visibleWindow({ lines, pending: [], marks }, null, 60, 10);
    const hits = w.rows.flatMap((r) => r.row.filter((s) => s.style.inverse));
    expect(hits.map((s) => s.text)).toEqual(['build', 'build']);
    expect(hits[0]!.style.bold).toBeFalsy();
    expect(hits[1]!.style.bold).toBe(true);
  });
});

describe('scrolling to the ends and through evictions', () => {
  it('jumps to the oldest lines kept', () => {
    const c = content(50);
    expect(shown(visibleWindow(c, scrollToTop(c, 40, 3), 40, 3))).toEqual([
      'line 1',
      'line 2',
      'line 3',
    ]);
  });

  it('shows a full first screen when the lines being read were evicted, and PgUp does not move down', () => {
    // Reading line 5 of 1..100; a flood trims everything up to line 60.
    const before = content(100);
    const anchor = scrollUp(before, null, 40, 3, 95);
    expect(anchor).toMatchObject({ seq: 5 });
    const after = { lines: before.lines.slice(60), pending: [] };
    const w = visibleWindow(after, anchor, 40, 3);
    expect(shown(w)).toEqual(['line 61', 'line 62', 'line 63']);
    const up = scrollUp(after, anchor, 40, 3, 2);
    expect(shown(visibleWindow(after, up, 40, 3))).toEqual(['line 61', 'line 62', 'line 63']);
  });
});
