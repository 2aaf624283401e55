/**
 * The abuse benchmark (`pnpm -s bench --mode abuse`): each kind of abuse from issue 8 against a
 * server process of its own (from source, with `pnpm server`'s memory flag), default flags
 * unless said, and what the server still guarantees. Clients run in this process; they are light (a line counter per socket).
 */
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import type { ServerProcess } from './proc.js';
import { cpuSeconds, memory, packageDir, startServerProcess } from './proc.js';

const MB = 2 ** 20;

/** A bench client: counts lines by the start of their JSON, keeps only what a check needs. */
class Client {
  readonly socket: Socket;
  readonly counts = new Map<string, number>();
  closed = false;
  #partial = '';
  #waiters: (() => void)[] = [];
  /** Lines starting with this prefix are kept in `kept`. */
  keep: string | undefined;
  readonly kept: string[] = [];
  onLine: ((line: string) => void) | undefined;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      const parts = (this.#partial + chunk).split('\n');
      this.#partial = parts.pop() ?? '';
      for (const line of parts) {
        const type = /^\{"type":"([a-z_]+)"/.exec(line)?.[1] ?? 'other';
        this.counts.set(type, (this.counts.get(type) ?? 0) + 1);
        if (this.keep !== undefined && line.startsWith(this.keep)) this.kept.push(line);
        this.onLine?.(line);
      }
      this.#wake();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      this.#wake();
    });
  }

  static open(port: number): Promise<Client> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host: '127.0.0.1' });
      socket.once('connect', () => resolve(new Client(socket)));
      socket.once('error', reject);
    });
  }

  static async join(port: number, name: string, extra: object = {}): Promise<Client> {
    const c = await Client.open(port);
    c.send({ type: 'hello', protocol: 1, name, ...extra });
    await c.until(() => c.count('history_end') > 0);
    return c;
  }

  count(type: string): number {
    return this.counts.get(type) ?? 0;
  }

  send(frame: object): void {
    this.socket.write(JSON.stringify(frame) + '\n');
  }

  async until(check: () => boolean, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (this.closed) throw new Error('closed while waiting');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('timed out');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  #wake(): void {
    for (const w of this.#waiters.splice(0)) w();
  }
}

async function withServer<T>(
  flags: string[],
  body: (server: ServerProcess) => Promise<T>,
  gc = false,
): Promise<T> {
  const server = await startServerProcess(
    ['--log-level', 'warn', '--idle-timeout', '10m', '--no-persist', ...flags],
    gc ? ['--expose-gc', '--import', join(packageDir, 'bench', 'gc-on-signal.mjs')] : [],
  );
  try {
    return await body(server);
  } finally {
    await server.stop();
  }
}

async function fullGc(server: ServerProcess): Promise<number> {
  server.child.kill('SIGUSR2');
  await new Promise((r) => setTimeout(r, 1500));
  return memory(server.pid).rss;
}

function quantile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! : NaN;
}

type Row = Record<string, string | number>;

/** 70 senders each write a legal burst (20 messages of 4,000 characters) at the same moment. */
async function burst(): Promise<Row> {
  return withServer([], async (server) => {
    const readers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => Client.join(server.port, `reader${i}`)),
    );
    const senders: Client[] = [];
    for (const half of [0, 35])
      senders.push(
        ...(await Promise.all(
          Array.from({ length: 35 }, (_, i) => Client.join(server.port, `sender${half + i}`)),
        )),
      );
    const text = 'x'.repeat(4000);
    const t0 = performance.now();
    for (const s of senders) {
      let lines = '';
      for (let m = 0; m < 20; m++) lines += JSON.stringify({ type: 'say', text }) + '\n';
      s.socket.write(lines);
    }
    const all = [...readers, ...senders];
    await Promise.all(all.map((c) => c.until(() => c.count('message') >= 1400 || c.closed)));
    const ms = performance.now() - t0;
    const dropped = all.filter((c) => c.closed || c.count('leave') > 0).length;
    for (const c of all) c.socket.destroy();
    return {
      abuse: '70 clients x burst of 20 x 4,000 chars at once',
      result: `${dropped} of 80 dropped; every client got all 1,400 messages in ${Math.round(ms)} ms`,
      'server peak RSS MB': +(memory(server.pid).peak / MB).toFixed(1),
    };
  });
}

/** 200 clients send 200 self-DMs of 1,000 characters with ids each, then leave. */
async function dmMemory(): Promise<Row> {
  return withServer(
    ['--rate', '1000000', '--burst', '1000000'],
    async (server) => {
      const before = await fullGc(server);
      const text = 'd'.repeat(1000);
      for (let group = 0; group < 4; group++) {
        const clients = await Promise.all(
          Array.from({ length: 50 }, (_, i) => Client.join(server.port, `dm${group}_${i}`)),
        );
        await Promise.all(
          clients.map(async (c, i) => {
            let lines = '';
            for (let m = 0; m < 200; m++)
              lines +=
                JSON.stringify({ type: 'dm', to: `dm${group}_${i}`, text, id: `m${m}` }) + '\n';
            c.socket.write(lines);
            await c.until(() => c.count('dm') >= 200);
            c.socket.destroy();
          }),
        );
      }
      const peak = memory(server.pid).peak;
      const after = await fullGc(server);
      return {
        abuse: '200 clients x 200 self-DMs (1,000 chars, with ids), then leave',
        result: `RSS ${(before / MB).toFixed(1)} MB before, ${(after / MB).toFixed(1)} MB after (+${((after - before) / MB).toFixed(1)} MB)`,
        'server peak RSS MB': +(peak / MB).toFixed(1),
      };
    },
    true,
  );
}

/** `users` idle members; one client measures message latency before and after 2,000 `who`. */
async function whoFlood(users: number): Promise<Row> {
  return withServer(['--max-clients', String(users + 100)], async (server) => {
    const idle: Client[] = [];
    // In crowds of 50, under the 64 connections one address may have waiting.
    for (let i = 0; i < users; i += 50) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(50, users - i) }, (_, k) =>
          Client.join(server.port, `u${i + k}`),
        ),
      );
      // They stay members but read nothing more: the kernel buffers what they are sent.
      for (const c of batch) c.socket.pause();
      idle.push(...batch);
    }
    const probe = await Client.join(server.port, 'probe');
    const attacker = await Client.join(server.port, 'attacker');
    const latencies = (durationMs: number): Promise<number[]> =>
      new Promise((resolve) => {
        const out: number[] = [];
        probe.onLine = (line) => {
          const m = /"text":"t(\d+(?:\.\d+)?)"/.exec(line);
          if (m) out.push(performance.now() - Number(m[1]));
        };
        const timer = setInterval(
          () => probe.send({ type: 'say', text: `t${performance.now()}` }),
          50,
        );
        setTimeout(() => {
          clearInterval(timer);
          probe.onLine = undefined;
          resolve(out.sort((a, b) => a - b));
        }, durationMs);
      });
    await latencies(2000); // the join storm settles; not reported
    const calm = await latencies(3000);
    const cpu0 = cpuSeconds(server.pid);
    attacker.socket.write('{"type":"who"}\n'.repeat(2000));
    const flooded = await latencies(3000);
    const cpu = cpuSeconds(server.pid) - cpu0;
    await attacker.until(() => attacker.count('users') + attacker.count('error') >= 2000);
    for (const c of [...idle, probe, attacker]) c.socket.destroy();
    return {
      abuse: `2,000 who in one write, ${users.toLocaleString('en')} users`,
      result:
        `${attacker.count('users')} answered, ${attacker.count('error')} rate_limited; ` +
        `others' p99 ${quantile(calm, 0.99).toFixed(1)} ms before, ${quantile(flooded, 0.99).toFixed(1)} ms after ` +
        `(max ${(flooded.at(-1) ?? NaN).toFixed(1)} ms); server CPU ${cpu.toFixed(2)} s in those 3 s`,
      'server peak RSS MB': +(memory(server.pid).peak / MB).toFixed(1),
    };
  });
}

/** 10,000 sockets from 127.0.0.1 that never say hello; then a real user joins. */
async function idleFlood(count: number): Promise<Row> {
  return withServer([], async (server) => {
    const idle: Client[] = [];
    for (let i = 0; i < count; i += 500)
      idle.push(
        ...(await Promise.all(
          Array.from({ length: Math.min(500, count - i) }, () => Client.open(server.port)),
        )),
      );
    const t0 = performance.now();
    const user = await Client.join(server.port, 'alice');
    const ms = performance.now() - t0;
    // Past the cap of 64 per address, the oldest go once they have waited 1 s.
    const open = (): number => idle.filter((c) => !c.closed).length;
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (open() <= 64 || performance.now() - t0 > 15_000) {
          clearInterval(check);
          resolve();
        }
      }, 100);
    });
    const capped = performance.now() - t0;
    const evicted = idle.filter((c) => c.count('error') > 0).length;
    const stillOpen = open();
    for (const c of [...idle, user]) c.socket.destroy();
    return {
      abuse: `${count.toLocaleString('en')} idle sockets from one address, then a real user`,
      result:
        `the user got in (welcome in ${ms.toFixed(1)} ms); ${evicted.toLocaleString('en')} oldest idle ones ` +
        `got too_many_connections, ${stillOpen} left open ${(capped / 1000).toFixed(1)} s later`,
      'server peak RSS MB': +(memory(server.pid).peak / MB).toFixed(1),
    };
  });
}

/** A client falls 5,000 events of ~1 KB behind, then reconnects with its token and since. */
async function replay(): Promise<Row> {
  return withServer(
    ['--history', '10000', '--rate', '1000000', '--burst', '1000000'],
    async (server) => {
      const away = await Client.open(server.port);
      let token = '';
      away.onLine = (line) => {
        token ||= /"token":"([^"]+)"/.exec(line)?.[1] ?? '';
      };
      away.send({ type: 'hello', protocol: 1, name: 'away' });
      await away.until(() => away.count('history_end') > 0);
      const talker = await Client.join(server.port, 'talker');
      away.socket.destroy();
      await talker.until(() => talker.count('leave') > 0);
      // Events after away's own join (seq 1): talker's join and away's leave, in either order.
      const since = 1;
      const text = 'r'.repeat(1000);
      let lines = '';
      for (let i = 0; i < 4998; i++) lines += JSON.stringify({ type: 'say', text }) + '\n';
      talker.socket.write(lines);
      await talker.until(() => talker.count('message') >= 4998);
      const back = await Client.open(server.port);
      back.keep = '{"type":"history_end"';
      let replayed = 0;
      back.onLine = (line) => {
        if (line.includes('"replay":true')) replayed++;
      };
      const t0 = performance.now();
      back.send({ type: 'hello', protocol: 1, name: 'away', token, since });
      await back.until(() => back.count('history_end') > 0);
      const ms = performance.now() - t0;
      back.socket.destroy();
      talker.socket.destroy();
      return {
        abuse: 'a client 5,000 events (~5 MB) behind reconnects with since',
        result: `${replayed.toLocaleString('en')} of 5,000 replayed in ${Math.round(ms)} ms, then ${back.kept[0]}`,
        'server peak RSS MB': +(memory(server.pid).peak / MB).toFixed(1),
      };
    },
  );
}

/** 3,000 renames in one write. */
async function nickFlood(): Promise<Row> {
  return withServer([], async (server) => {
    const watcher = await Client.join(server.port, 'watcher');
    const renamer = await Client.join(server.port, 'renamer');
    let lines = '';
    for (let i = 0; i < 3000; i++) lines += JSON.stringify({ type: 'nick', name: `n${i}` }) + '\n';
    renamer.socket.write(lines);
    await renamer.until(() => renamer.count('error') + renamer.count('nick') >= 3000);
    watcher.send({ type: 'ping' });
    await watcher.until(() => watcher.count('pong') > 0);
    const nicks = watcher.count('nick');
    watcher.socket.destroy();
    renamer.socket.destroy();
    return {
      abuse: '3,000 renames in one write',
      result: `${nicks} nick event(s) created; ${renamer.count('error')} rate_limited`,
      'server peak RSS MB': +(memory(server.pid).peak / MB).toFixed(1),
    };
  });
}

/** Runs every abuse in turn and prints one table. */
export async function abuse(users: number, idleSockets: number): Promise<void> {
  console.log('abuse (each against a fresh server process, default flags unless said):');
  const rows: Row[] = [];
  for (const run of [
    burst,
    dmMemory,
    () => whoFlood(users),
    () => idleFlood(idleSockets),
    replay,
    nickFlood,
  ]) {
    const row = await run();
    console.log(`- ${row['abuse']}: ${row['result']}`);
    rows.push(row);
  }
  console.table(rows);
}
