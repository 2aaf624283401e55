import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/**
 * A private `redis-server` for tests and benches: its own temp directory and unix socket, no
 * TCP port, nothing saved, so it never touches a Redis someone runs on the machine (6379) and a
 * restart comes back empty, as a crashed Redis without persistence does.
 */

/** What the tests print, once, when they are skipped for want of Redis. */
export const REDIS_INSTALL_HINT =
  'redis-server is not installed: the Redis tests are skipped (apt-get install redis-server)';

/** The `redis-server` executable on PATH, or undefined when it is not installed. */
export function redisServerPath(env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    if (dir === '') continue;
    const file = join(dir, 'redis-server');
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/**
 * Why the Redis tests cannot run here (undefined when they can). CI sets CIAO_REQUIRE_REDIS=1:
 * there a missing redis-server is a failure, not a silent skip.
 */
export function redisSkipReason(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (redisServerPath(env) !== undefined) return undefined;
  if (env['CIAO_REQUIRE_REDIS'] === '1')
    throw new Error(`CIAO_REQUIRE_REDIS=1 but ${REDIS_INSTALL_HINT.split(':')[0]}`);
  return REDIS_INSTALL_HINT;
}

export interface RedisServer {
  /** `unix:/abs/path/redis.sock`, as `--redis` takes it. */
  readonly url: string;
  readonly socketPath: string;
  /** The running redis-server's pid (changes on restart). */
  readonly pid: number;
  /** SIGKILL: the socket goes dead at once, nothing is kept. */
  kill(): Promise<void>;
  /** Starts it again on the same socket path, empty; resolves once it answers PING. */
  restart(): Promise<void>;
  /** Stops it for good and removes its directory. */
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 10_000;

/** Starts a private redis-server and resolves once it answers PING on its socket. */
export async function startRedis(): Promise<RedisServer> {
  const bin = redisServerPath();
  if (bin === undefined) throw new Error(REDIS_INSTALL_HINT);
  const dir = mkdtempSync(join(tmpdir(), 'ciao-redis-'));
  const socketPath = join(dir, 'redis.sock');
  let child: ChildProcess;
  const launch = async (): Promise<void> => {
    child = spawn(
      bin,
      [
        '--port',
        '0',
        '--unixsocket',
        socketPath,
        '--unixsocketperm',
        '700',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    await waitReady(child, socketPath);
  };
  const kill = (): Promise<void> =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  try {
    await launch();
  } catch (err) {
    await kill();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    url: `unix:${socketPath}`,
    socketPath,
    get pid() {
      return child.pid!;
    },
    kill,
    async restart() {
      await kill();
      await launch();
    },
    async stop() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Resolves when the server answers PING on the socket: tried at start and again each time it
 * writes a line (Redis logs when it is ready), with a short retry for the window between the
 * two. Rejects if it exits first or the timeout passes.
 */
function waitReady(child: ChildProcess, socketPath: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    let done = false;
    let retry: NodeJS.Timeout | undefined;
    const finish = (err?: Error): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearTimeout(retry);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve();
    };
    const timer = setTimeout(
      () => finish(new Error(`redis-server not ready in ${READY_TIMEOUT_MS} ms:\n${output}`)),
      READY_TIMEOUT_MS,
    );
    const onExit = (code: number | null): void =>
      finish(new Error(`redis-server exited (${code}) at start:\n${output}`));
    child.once('exit', onExit);
    const attempt = (): void => {
      if (done) return;
      void ping(socketPath).then((ok) => {
        if (ok) finish();
        else if (!done) {
          clearTimeout(retry);
          retry = setTimeout(attempt, 25);
        }
      });
    };
    // The pipes are read for as long as it runs (a full pipe would block it); the start of
    // what it said is kept for the error messages.
    const onOutput = (d: string): void => {
      if (output.length < 10_000) output += d;
      if (!done) attempt();
    };
    child.stdout!.setEncoding('utf8').on('data', onOutput);
    child.stderr!.setEncoding('utf8').on('data', onOutput);
    attempt();
  });
}

/** Whether a Redis answers PING on the socket (one RESP round trip, no client library). */
export function ping(socketPath: string, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(socketPath);
    let reply = '';
    const end = (ok: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => end(false), timeoutMs);
    socket.setEncoding('utf8');
    socket.on('error', () => end(false));
    socket.on('data', (d: string) => {
      reply += d;
      if (reply.includes('\r\n')) end(reply.startsWith('+PONG'));
    });
    socket.on('connect', () => socket.write('*1\r\n$4\r\nPING\r\n'));
  });
}
