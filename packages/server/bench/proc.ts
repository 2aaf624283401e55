import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const packageDir = fileURLToPath(new URL('..', import.meta.url));
const CLOCK_TICKS = 100; // USER_HZ on Linux

export interface ServerProcess {
  readonly child: ChildProcess;
  readonly port: number;
  readonly pid: number;
  /** Milliseconds from spawn to the "listening" line. */
  readonly startupMs: number;
  stop(): Promise<number | null>;
}

/** Starts the server from source (tsx) with `pnpm server`'s memory flag, on an ephemeral port. */
export function startServerProcess(
  flags: string[],
  nodeFlags: string[] = [],
): Promise<ServerProcess> {
  const t0 = performance.now();
  // Its own data directory (state, self-signed certificate), never the user's.
  const dataDir = mkdtempSync(join(tmpdir(), 'ciao-bench-'));
  const child = spawn(
    process.execPath,
    [
      ...nodeFlags,
      // As in the root package.json's start/server scripts: see the README's note on memory.
      '--max-semi-space-size=4',
      '--conditions=@ciao/source',
      '--import',
      'tsx',
      'src/cli.ts',
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--data',
      dataDir,
      ...flags,
    ],
    { cwd: packageDir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      if (err.length < 10_000) err += d;
      if (process.env['BENCH_DEBUG']) process.stderr.write(d);
    });
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /listening on [^\s]+:(\d+)/.exec(out);
      if (m) {
        const startupMs = performance.now() - t0;
        resolve({
          child,
          port: Number(m[1]),
          pid: child.pid!,
          startupMs,
          stop: () =>
            new Promise((res) => {
              if (child.exitCode !== null) return res(child.exitCode);
              child.once('exit', () => rmSync(dataDir, { recursive: true, force: true }));
              child.once('exit', (code) => res(code));
              child.kill('SIGTERM');
            }),
        });
      }
    });
    child.once('exit', () => rmSync(dataDir, { recursive: true, force: true }));
    child.once('exit', (code) =>
      reject(new Error(`server exited (${code}) before listening:\n${err}`)),
    );
  });
}

/** CPU seconds (user + system) the process has used. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** Resident and peak resident memory, in bytes. */
export function memory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

/** Write syscalls the process has made and the bytes they wrote (sockets included). */
export function writes(pid: number): { calls: number; bytes: number } {
  const io = readFileSync(`/proc/${pid}/io`, 'utf8');
  const field = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(io)?.[1] ?? 0);
  return { calls: field('syscw'), bytes: field('wchar') };
}
