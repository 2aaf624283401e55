import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../test/wait-for.js';
import { filterPastes } from './paste-filter.js';
import { PASTE_END, PASTE_START } from './paste-splitter.js';

/** A stdin as Ink reads it: 'readable', then read() until null. */
class FakeStdin extends EventEmitter {
  private chunks: string[] = [];
  write(data: string): void {
    this.chunks.push(data);
    this.emit('readable');
  }
  read(): string | null {
    return this.chunks.shift() ?? null;
  }
}

/** Reads `stdin` as Ink does; records what it got and the pastes, in order. */
function inkReading(stdin: FakeStdin): string[] {
  const seen: string[] = [];
  stdin.on('readable', () => {
    let chunk: string | null;
    while ((chunk = stdin.read()) !== null) if (chunk !== '') seen.push(`keys:${chunk}`);
  });
  filterPastes(stdin as unknown as NodeJS.ReadStream, (text) => seen.push(`paste:${text}`));
  return seen;
}

describe('filterPastes', () => {
  it('hands pastes over in order with the keys around them; Ink never sees a paste', () => {
    const stdin = new FakeStdin();
    const seen = inkReading(stdin);
    stdin.write(`a${PASTE_START}one\rtwo${PASTE_END}\r`);
    expect(seen).toEqual(['keys:a', 'paste:one\rtwo', 'keys:\r']);
  });

  it('joins a paste split over reads, markers split too', () => {
    const stdin = new FakeStdin();
    const seen = inkReading(stdin);
    stdin.write('\x1b[20');
    stdin.write('0~one\r');
    stdin.write('two\x1b[2');
    stdin.write('01~x');
    expect(seen).toEqual(['paste:one\rtwo', 'keys:x']);
  });

  it('lets a lone Esc through once nothing follows it', async () => {
    const stdin = new FakeStdin();
    const seen = inkReading(stdin);
    stdin.write('\x1b');
    expect(seen).toEqual([]);
    await waitFor(() => seen.length > 0, 2000, 'the Esc');
    expect(seen).toEqual(['keys:\x1b']);
  });

  it('keeps one filter per stream: the last to ask gets the pastes, in any order of removal', () => {
    const stdin = new FakeStdin();
    const seen = inkReading(stdin);
    const second: string[] = [];
    const removeSecond = filterPastes(stdin as unknown as NodeJS.ReadStream, (t) => second.push(t));
    stdin.write(`${PASTE_START}a${PASTE_END}`);
    expect(second).toEqual(['a']);
    removeSecond();
    stdin.write(`${PASTE_START}b${PASTE_END}`);
    expect(seen).toEqual(['paste:b']);
  });

  it('gives the stream its own read() back when removed', () => {
    const stdin = new FakeStdin();
    const own = stdin.read;
    const remove = filterPastes(stdin as unknown as NodeJS.ReadStream, () => {});
    expect(stdin.read).not.toBe(own);
    remove();
    expect(stdin.read).toBe(own);
  });
});
