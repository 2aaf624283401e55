import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { killHard, startCliServer } from './crash-harness.js';
import type { RedisServer } from './redis-server.js';
import { startRedis } from './redis-server.js';

/**
 * Several ciao servers sharing one room through a private Redis (issue 12), each a real process
 * started from source, so one can be SIGKILLed.
 */

export interface CiaoNode {
  readonly port: number;
  readonly child: ChildProcess;
  /** What it wrote to stderr so far (warnings and errors: it runs at --log-level warn). */
  stderr(): string;
  /** SIGKILL; resolves once the process is gone. */
  kill(): Promise<void>;
}

/** Starts one ciao server on `redisUrl` (--no-persist, 127.0.0.1, an ephemeral port). */
export async function startCiaoOnRedis(
  redisUrl: string,
  extra: readonly string[] = [],
): Promise<CiaoNode> {
  // Its own directory for the self-signed certificate: servers never share one.
  const dataDir = mkdtempSync(join(tmpdir(), 'ciao-cluster-'));
  try {
    const { port, child } = await startCliServer(dataDir, [
      '--redis',
      redisUrl,
      '--no-persist',
      ...extra,
    ]);
    let err = '';
    child.stderr!.on('data', (d: string) => {
      if (err.length < 20_000) err += d;
    });
    child.once('exit', () => rmSync(dataDir, { recursive: true, force: true }));
    return { port, child, stderr: () => err, kill: () => killHard(child) };
  } catch (e) {
    rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
}

export interface Cluster {
  readonly redis: RedisServer;
  readonly servers: CiaoNode[];
  /** Every server's stderr, labelled, for a failing test's message. */
  logs(): string;
  /** Kills every server and Redis. */
  close(): Promise<void>;
}

/** A private Redis and `count` ciao servers on it. */
export async function startCluster(count: number, extra: readonly string[] = []): Promise<Cluster> {
  const redis = await startRedis();
  // All at once (each start is a second or two of tsx compiling the server).
  const started = await Promise.allSettled(
    Array.from({ length: count }, () => startCiaoOnRedis(redis.url, extra)),
  );
  const servers = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = started.find((r) => r.status === 'rejected');
  if (failed) {
    await Promise.all(servers.map((s) => s.kill()));
    await redis.stop();
    throw failed.reason;
  }
  return {
    redis,
    servers,
    logs: () => servers.map((s, i) => `--- server ${i} stderr:\n${s.stderr()}`).join('\n'),
    async close() {
      await Promise.all(servers.map((s) => s.kill()));
      await redis.stop();
    },
  };
}
