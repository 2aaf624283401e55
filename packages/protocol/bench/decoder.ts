/**
 * Decoder micro-benchmark: frames/s and MB/s through FrameDecoder + validateClientFrame, for
 * small chat frames and for 60 KB frames, and a check for quadratic behaviour on long lines
 * fed one byte at a time. Run: pnpm --filter @ciao/protocol bench
 */
import { encodeFrame, FrameDecoder, LineDecoder, validateClientFrame } from '@ciao/protocol';

interface Result {
  readonly name: string;
  readonly frames: number;
  readonly bytes: number;
  readonly seconds: number;
}

function run(name: string, chunks: Buffer[], repeat: number, framesPerRound: number): Result {
  let decoded = 0;
  const round = (): void => {
    const decoder = new FrameDecoder();
    for (const chunk of chunks) {
      for (const result of decoder.push(chunk)) {
        if (result.ok && validateClientFrame(result.frame).ok) decoded++;
      }
    }
  };
  for (let i = 0; i < Math.min(repeat, 3); i++) round(); // warm-up
  decoded = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < repeat; i++) round();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (decoded !== framesPerRound * repeat) {
    throw new Error(`${name}: decoded ${decoded} frames, expected ${framesPerRound * repeat}`);
  }
  const bytes = chunks.reduce((sum, c) => sum + c.length, 0) * repeat;
  return { name, frames: decoded, bytes, seconds };
}

/** Cuts a stream into chunks of a given size, as a socket might deliver it. */
function chunked(data: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < data.length; i += size) out.push(data.subarray(i, i + size));
  return out;
}

const small = Buffer.concat(
  Array.from({ length: 10_000 }, (_, i) =>
    encodeFrame({ type: 'say', text: `hello everyone, message number ${i}`, id: `m${i}` }),
  ),
);
const large = Buffer.concat(
  Array.from({ length: 20 }, (_, i) =>
    encodeFrame({ type: 'say', text: 'é'.repeat(30_000) + String(i), id: `big${i}` }),
  ),
);

const results = [
  run('small frames (~60 B), 64 KiB chunks', chunked(small, 65_536), 100, 10_000),
  run('small frames (~60 B), 1 frame per chunk', chunked(small, 60), 30, 10_000),
  run('60 KB frames, 64 KiB chunks', chunked(large, 65_536), 50, 20),
];

console.log('\n@ciao/protocol decoder (FrameDecoder + validateClientFrame)');
console.log('case'.padEnd(44), 'frames/s'.padStart(12), 'MB/s'.padStart(8));
for (const r of results) {
  console.log(
    r.name.padEnd(44),
    Math.round(r.frames / r.seconds)
      .toLocaleString('en')
      .padStart(12),
    (r.bytes / r.seconds / 1e6).toFixed(1).padStart(8),
  );
}

/** Time to feed a line of `length` bytes one byte at a time: linear work means the time per byte stays flat. */
function byteByByte(length: number): number {
  const line = Buffer.from('x'.repeat(length - 1) + '\n');
  const decoder = new LineDecoder(65_536);
  const start = process.hrtime.bigint();
  let lines = 0;
  for (let i = 0; i < line.length; i++) lines += decoder.push(line.subarray(i, i + 1)).length;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (lines !== 1) throw new Error('byte-by-byte: expected one line');
  return seconds;
}
byteByByte(65_000); // warm-up
const short = byteByByte(6_500);
const long = byteByByte(65_000);
console.log(
  `long line fed byte by byte: 6.5 KB in ${(short * 1e3).toFixed(2)} ms, 65 KB in ${(long * 1e3).toFixed(2)} ms` +
    ` (ratio ${(long / short).toFixed(1)} for 10x the bytes; ~10 is linear, ~100 would be quadratic)`,
);
