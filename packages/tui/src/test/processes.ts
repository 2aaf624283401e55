import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import pty from '@lydell/node-pty';
import type { IPty } from '@lydell/node-pty';

const here = path.dirname(fileURLToPath(import.meta.url));
/** packages/tui */
export const TUI_DIR = path.resolve(here, '../..');
export const REPO_DIR = path.resolve(TUI_DIR, '../..');
const SERVER_CLI = path.join(REPO_DIR, 'packages/server/src/cli.ts');
const TUI_CLI = path.join(TUI_DIR, 'src/cli.tsx');
const NODE_ARGS = ['--import', 'tsx', '--conditions=@ciao/source'];

/** True if the server package is in the tree (it is built by someone else, in parallel). */
export async function serverAvailable(): Promise<boolean> {
  const { access } = await import('node:fs/promises');
  return access(SERVER_CLI).then(
    () => true,
    () => false,
  );
}

export interface ServerProcess {
  readonly port: number;
  /** SHA-256 fingerprint of the certificate it serves over TLS, as it printed it. */
  readonly fingerprint: string | undefined;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts `pnpm server` on an ephemeral port (unless `--port` is given) and waits for its
 * "listening" line.
 */
export function startServerProcess(
  extraArgs: readonly string[] = [],
  timeoutMs = 20_000,
): Promise<ServerProcess> {
  // Its own data directory (state, self-signed certificate), never the user's.
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ciao-e2e-'));
  const child = spawn(
    process.execPath,
    [
      ...NODE_ARGS,
      SERVER_CLI,
      ...(extraArgs.includes('--port') ? [] : ['--port', '0']),
      '--host',
      '127.0.0.1',
      '--log-level',
      'warn',
      // A test that restarts a server on the same data gives its own --data; others get a
      // fresh one (for the self-signed certificate) and keep the room in memory.
      ...(extraArgs.includes('--data') ? [] : ['--data', dataDir, '--no-persist']),
      ...extraArgs,
    ],
    {
      cwd: REPO_DIR,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.once('exit', () => rmSync(dataDir, { recursive: true, force: true }));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /listening on [^\s]+:(\d+)/.exec(output);
      // The fingerprint line comes in the same write as the listening line.
      if (!match) return;
      const fingerprint = /SHA-256 fingerprint (\S+)/.exec(output)?.[1];
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.stdout!.resume();
      child.stderr!.resume();
      resolve({
        port: Number(match[1]),
        fingerprint,
        child,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
            setTimeout(() => child.kill('SIGKILL'), 6_000).unref();
          }),
      });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
}

const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-_]|\x1b./g;

/** Removes terminal escapes: what is left is the text drawn, in the order it was drawn. */
export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

/** A TUI running in a pseudo-terminal, with everything it wrote kept for inspection. */
export class PtyClient {
  readonly term: IPty;
  /** Raw output, escapes included. */
  raw = '';
  exitCode: number | undefined;
  private readonly listeners = new Set<() => void>();

  constructor(
    args: readonly string[],
    options: {
      cols?: number;
      rows?: number;
      env?: Record<string, string>;
      nodeArgs?: readonly string[];
    } = {},
  ) {
    this.term = pty.spawn(
      process.execPath,
      [...NODE_ARGS, ...(options.nodeArgs ?? []), TUI_CLI, ...args],
      {
        name: 'xterm-256color',
        cols: options.cols ?? 100,
        rows: options.rows ?? 30,
        cwd: TUI_DIR,
        env: { ...process.env, FORCE_COLOR: '1', ...options.env } as Record<string, string>,
      },
    );
    this.term.onData((data) => {
      this.raw += data;
      for (const listener of this.listeners) listener();
    });
    this.term.onExit(({ exitCode }) => {
      this.exitCode = exitCode;
      for (const listener of this.listeners) listener();
    });
  }

  get pid(): number {
    return this.term.pid;
  }

  /** Output text without escapes. */
  text(): string {
    return stripAnsi(this.raw);
  }

  /** Resolves when `predicate` holds for the output (checked on every write), or rejects. */
  waitFor(
    predicate: (client: PtyClient) => boolean,
    timeoutMs: number,
    what: string,
  ): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (!predicate(this)) return;
        done();
        resolve();
      };
      const timer = setTimeout(() => {
        done();
        reject(
          new Error(
            `timed out after ${timeoutMs} ms waiting for ${what}; screen text:\n${this.text().slice(-3000)}`,
          ),
        );
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
      check();
    });
  }

  /** Waits until `text` has been drawn (after `from`, an offset into the raw output). */
  waitForText(text: string, timeoutMs = 15_000, from = 0): Promise<void> {
    return this.waitFor(
      (c) => stripAnsi(c.raw.slice(from)).includes(text),
      timeoutMs,
      JSON.stringify(text),
    );
  }

  waitForExit(timeoutMs = 10_000): Promise<number> {
    return this.waitFor((c) => c.exitCode !== undefined, timeoutMs, 'exit').then(
      () => this.exitCode!,
    );
  }

  write(data: string): void {
    this.term.write(data);
  }

  kill(): void {
    if (this.exitCode === undefined) this.term.kill();
  }
}

/** True if `redis-server` can be run here. */
export function redisAvailable(): boolean {
  return spawnSync('redis-server', ['--version']).error === undefined;
}

export interface RedisProcess {
  /** What `pnpm server --redis` takes: `unix:/tmp/…/redis.sock`. */
  readonly url: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts a `redis-server` that keeps nothing on disk, on a unix socket in `dir` (a temp
 * directory of its own unless given: a restart on the same `dir` is the same address), and
 * waits until it accepts connections.
 */
export function startRedis(dir?: string, timeoutMs = 10_000): Promise<RedisProcess> {
  const home = dir ?? mkdtempSync(path.join(tmpdir(), 'ciao-redis-'));
  const socket = path.join(home, 'redis.sock');
  const child = spawn(
    'redis-server',
    ['--port', '0', '--unixsocket', socket, '--save', '', '--appendonly', 'no', '--dir', home],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  if (dir === undefined) child.once('exit', () => rmSync(home, { recursive: true, force: true }));
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`redis-server did not start within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (!/ready to accept connections/i.test(output)) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.stdout!.resume();
      child.off('exit', onEarlyExit);
      resolve({
        url: `unix:${socket}`,
        child,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    };
    const onEarlyExit = (code: number | null): void => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code}:\n${output}`));
    };
    child.stdout!.on('data', onData);
    child.once('exit', onEarlyExit);
  });
}
