/**
 * The TUI under a busy room: a real server, a flooder at RATE messages/s, the real client in a
 * pseudo-terminal. Reports the client's CPU (utime+stime from /proc) over a window of flood
 * alone and one of flood while typing (also with a 100-line draft in the input), memory (VmRSS / VmHWM), the delay from a key press to
 * its echo on screen (with and without the flood), and how far the screen lags behind.
 *
 *   pnpm --filter @ciao/tui bench            (RATE=500 SECONDS=10 by default)
 */
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { encodeFrameString, PROTOCOL_VERSION } from '@ciao/protocol';
import {
  PtyClient,
  serverAvailable,
  startServerProcess,
  stripAnsi,
} from '../src/test/processes.js';

const RATE = Number(process.env.RATE ?? 500);
const SECONDS = Number(process.env.SECONDS ?? 10);
const WARMUP_MS = 2_000;
const PROBE_EVERY_MS = 200;
const CLK_TCK = 100;

function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of stat (utime, stime), counted after the command name.
  return Number(fields[11]) + Number(fields[12]);
}

function memoryKiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
}

function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** A JSON client that sends `say` frames at `rate` per second until stopped. */
async function startFlooder(
  port: number,
  rate: number,
): Promise<{ sent: () => number; stop: () => void }> {
  const socket = net.connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.setNoDelay(true);
  socket.resume(); // discard what the server sends us
  socket.write(encodeFrameString({ type: 'hello', protocol: PROTOCOL_VERSION, name: 'flooder' }));
  let sent = 0;
  const started = performance.now();
  const timer = setInterval(() => {
    const due = Math.floor(((performance.now() - started) / 1000) * rate);
    let batch = '';
    while (sent < due) {
      sent++;
      batch += encodeFrameString({
        type: 'say',
        id: `f${sent}`,
        text: `flood message number ${sent}: the quick brown fox jumps over the lazy dog 🦊 日本語`,
      });
    }
    if (batch) socket.write(batch);
  }, 5);
  return {
    sent: () => sent,
    stop: () => {
      clearInterval(timer);
      socket.end();
    },
  };
}

/**
 * Types letters one at a time (PROBE_EVERY_MS apart) and times each until the input line shows
 * it after `before` (the text before the cursor on its row); returns the delays in ms. Between
 * rounds of 20 letters they are taken back with Backspaces until `empty` shows (not measured).
 */
async function probeEchoes(
  tui: PtyClient,
  count: number,
  until = Infinity,
  before = 'viewer > ',
  empty = 'viewer > type a message',
  clearFirst = true,
): Promise<number[]> {
  const echoes: number[] = [];
  let typed = clearFirst ? 'x'.repeat(20) : '';
  while (echoes.length < count && performance.now() < until) {
    if (typed.length >= 20) {
      tui.write('\x7f'.repeat(typed.length));
      typed = '';
      await tui.waitForText(empty, 5_000, Math.max(0, tui.raw.length - 20_000));
    }
    typed += String.fromCharCode(97 + (typed.length % 26));
    const from = tui.raw.length;
    const pressed = performance.now();
    tui.write(typed.at(-1)!);
    const want = `${before}${typed}`;
    await tui.waitFor((c) => stripAnsi(c.raw.slice(from)).includes(want), 5_000, `echo of ${want}`);
    echoes.push(performance.now() - pressed);
    await new Promise((resolve) => setTimeout(resolve, PROBE_EVERY_MS));
  }
  return echoes;
}

async function main(): Promise<void> {
  if (!(await serverAvailable())) {
    console.log('tui bench: packages/server is missing; skipped');
    return;
  }
  const server = await startServerProcess([
    '--rate',
    String(RATE * 2),
    '--burst',
    String(RATE * 4),
  ]);
  const tui = new PtyClient(
    ['--host', '127.0.0.1', '--port', String(server.port), '--name', 'viewer'],
    {
      // PROFILE=dir writes a CPU profile of the TUI there.
      nodeArgs: process.env.PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.PROFILE}`] : [],
    },
  );
  let flooder: Awaited<ReturnType<typeof startFlooder>> | undefined;
  try {
    await tui.waitForText('● online', 30_000);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const idle = await probeEchoes(tui, 10);
    const idleRss = memoryKiB(tui.pid, 'VmRSS');
    flooder = await startFlooder(server.port, RATE);
    await new Promise((resolve) => setTimeout(resolve, WARMUP_MS));

    // Window 1: the flood alone.
    const ticks0 = cpuTicks(tui.pid);
    const sent0 = flooder.sent();
    const t0 = performance.now();
    await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
    const elapsed = (performance.now() - t0) / 1000;
    const ticks = cpuTicks(tui.pid) - ticks0;
    const sentInWindow = flooder.sent() - sent0;

    // Window 2: the flood while someone types (a key every PROBE_EVERY_MS).
    const ticks1 = cpuTicks(tui.pid);
    const t1 = performance.now();
    const echoes = await probeEchoes(tui, Infinity, t1 + SECONDS * 1000);
    const typingCpu =
      ((cpuTicks(tui.pid) - ticks1) / CLK_TCK / ((performance.now() - t1) / 1000)) * 100;
    const rss = memoryKiB(tui.pid, 'VmRSS');
    const hwm = memoryKiB(tui.pid, 'VmHWM');

    // Window 3: the flood while someone types at the end of a 100-line draft (a paste).
    const lines = Array.from({ length: 100 }, (_, i) => `draft line ${i + 1}`.padEnd(38, '.'));
    tui.write(`\x1b[200~${lines.join('\r')}\x1b[201~`);
    await tui.waitForText('100 lines · Enter sends', 10_000, Math.max(0, tui.raw.length - 20_000));
    const t2 = performance.now();
    const last = lines.at(-1)!;
    const draftEchoes = await probeEchoes(
      tui,
      Infinity,
      t2 + SECONDS * 1000,
      last,
      `${last} `,
      false,
    );

    // How far behind the flood the screen is: the last message sent must show up.
    const lastSent = flooder.sent();
    flooder.stop();
    const stopAt = performance.now();
    await tui.waitForText(`number ${lastSent}:`, 15_000, Math.max(0, tui.raw.length - 200_000));
    const catchUp = performance.now() - stopAt;

    const cpu = (ticks / CLK_TCK / elapsed) * 100;
    const rows: [string, string, string][] = [
      ['flood rate (msg/s, measured)', (sentInWindow / elapsed).toFixed(0), `${RATE}`],
      ['TUI CPU (% of one core)', cpu.toFixed(1), '< 30'],
      ['TUI CPU while typing (%)', typingCpu.toFixed(1), ''],
      ['TUI RSS at end (MiB)', (rss / 1024).toFixed(1), ''],
      ['TUI peak RSS (MiB)', (hwm / 1024).toFixed(1), ''],
      ['key echo p50 (ms)', percentile(echoes, 50).toFixed(1), ''],
      ['key echo p95 (ms)', percentile(echoes, 95).toFixed(1), '< 50'],
      ['key echo max (ms)', Math.max(...echoes).toFixed(1), ''],
      ['key presses measured', String(echoes.length), ''],
      ['100-line draft: key echo p50 (ms)', percentile(draftEchoes, 50).toFixed(1), ''],
      ['100-line draft: key echo p95 (ms)', percentile(draftEchoes, 95).toFixed(1), '< 50'],
      ['100-line draft: key presses', String(draftEchoes.length), ''],
      ['idle: key echo p50 (ms)', percentile(idle, 50).toFixed(1), ''],
      ['idle: RSS before the flood (MiB)', (idleRss / 1024).toFixed(1), ''],
      ['last message on screen after (ms)', catchUp.toFixed(0), ''],
    ];
    console.log(
      `\nTUI bench: ${RATE} msg/s, 100x30 pty, ${WARMUP_MS} ms warm-up, then ${SECONDS} s of flood alone (CPU), ${SECONDS} s of flood + a key every ${PROBE_EVERY_MS} ms, and ${SECONDS} s of that with a 100-line draft in the input`,
    );
    const width = Math.max(...rows.map((r) => r[0].length));
    console.log(`${'metric'.padEnd(width)} | ${'value'.padStart(8)} | goal`);
    console.log(`${'-'.repeat(width)}-|-${'-'.repeat(8)}-|------`);
    for (const [name, value, goal] of rows)
      console.log(`${name.padEnd(width)} | ${value.padStart(8)} | ${goal}`);
  } finally {
    flooder?.stop();
    tui.write('\x03');
    await tui.waitForExit(5_000).catch(() => tui.kill());
    await server.stop();
  }
}

await main();
