/**
 * How fast `pnpm tui` starts, as a person sees it: the command runs in a pseudo-terminal, and
 * the clock stops when the name prompt is on the screen. Then, 1 s later, the resident memory of
 * every process the command left running. Medians of RUNS (default 5).
 *
 *   pnpm --filter @ciao/tui bench:startup          (COMMAND="pnpm tui" by default)
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pty from '@lydell/node-pty';

const RUNS = Number(process.env.RUNS ?? 5);
const COMMAND = (process.env.COMMAND ?? 'pnpm tui').split(' ');
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const PROMPT = 'What is your name?';
const TIMEOUT_MS = 20_000;

interface Proc {
  readonly pid: number;
  readonly ppid: number;
  readonly rssKiB: number;
  readonly command: string;
}

function processes(): Proc[] {
  const all: Proc[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      const field = (name: string): string =>
        new RegExp(`${name}:\\s+(\\S+)`).exec(status)?.[1] ?? '0';
      const command = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim();
      all.push({
        pid: Number(entry),
        ppid: Number(field('PPid')),
        rssKiB: Number(field('VmRSS')),
        command,
      });
    } catch {
      // The process ended while we read it.
    }
  }
  return all;
}

/** `root` and everything below it. */
function tree(root: number): Proc[] {
  const all = processes();
  const found = all.filter((p) => p.pid === root);
  for (let i = 0; i < found.length; i++) found.push(...all.filter((p) => p.ppid === found[i]!.pid));
  return found;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function once(): Promise<{ ms: number; procs: Proc[] }> {
  // Port 9 (discard) on loopback: the prompt comes before any connection, so no server is needed.
  const args = [...COMMAND.slice(1), '--host', '127.0.0.1', '--port', '9'];
  const started = performance.now();
  const term = pty.spawn(COMMAND[0]!, args, {
    name: 'xterm-256color',
    cols: 100,
    rows: 30,
    cwd: REPO,
  });
  let screen = '';
  const ms = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no prompt in ${TIMEOUT_MS} ms:\n${screen}`)),
      TIMEOUT_MS,
    );
    term.onData((data) => {
      screen += data;
      if (screen.includes(PROMPT)) {
        clearTimeout(timer);
        resolve(performance.now() - started);
      }
    });
  });
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const procs = tree(term.pid);
  term.kill('SIGKILL');
  for (const p of procs) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  return { ms, procs };
}

const runs: Array<{ ms: number; procs: Proc[] }> = [];
for (let i = 0; i < RUNS; i++) runs.push(await once());
console.log(
  `startup: \`${COMMAND.join(' ')} --host 127.0.0.1 --port 9\` in a 100x30 pty, ${RUNS} runs`,
);
console.log(
  `  name prompt on screen: median ${median(runs.map((r) => r.ms)).toFixed(0)} ms (${runs.map((r) => r.ms.toFixed(0)).join(', ')})`,
);
const last = runs[runs.length - 1]!;
console.log(`  processes left running (1 s after the prompt): ${last.procs.length}`);
const byRole = new Map<string, number[]>();
for (const run of runs) {
  for (const p of run.procs) {
    const role = p.command.startsWith('sh ')
      ? 'sh (pnpm script wrapper)'
      : p.command.split(' ').slice(0, 2).join(' ');
    byRole.set(role, [...(byRole.get(role) ?? []), p.rssKiB]);
  }
}
for (const [role, rss] of byRole)
  console.log(`  RSS ${role}: median ${(median(rss) / 1024).toFixed(1)} MiB`);
