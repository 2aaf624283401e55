import { describe, expect, it } from 'vitest';
import type { ChatLine } from '../state/chat-reducer.js';
import { rowText } from './wrap-rows.js';
import { scrollDown, scrollUp, visibleWindow } from './visible-window.js';
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
    const big = content(5000);
    const started = performance.now();
    for (let i = 0; i < 100; i++) visibleWindow(big, null, 80, 30);
    expect(performance.now() - started).toBeLessThan(500);
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
