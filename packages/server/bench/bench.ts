/**
 * Load generator for the ciao server: `pnpm bench` (from the root or this package).
 *
 *   tsx --conditions=@ciao/source bench/bench.ts [--mode all|load|idle|storm|saturate|crash|cluster]
 *       [--clients N] [--senders S] [--rate MSGS_PER_SEC] [--duration SECONDS]
 *       [--workers W] [--idle-clients N] [--joins N,N...] [--bulk-read-ms MS] [--prof]
 *       [--store sqlite|memory] [--kills N]
 *       [--mode abuse [--users N] [--idle-sockets N]]
 *       [--mode cluster [--clients N] [--senders S] [--rate MSGS_PER_SEC]]
 *
 * Starts the server in its own process (from source through tsx: the same code `pnpm server`
 * runs compiled, with the same memory flag), connects N JSON
 * clients from W generator processes, has S of them send at a fixed total rate, and reports
 * deliveries per second, end-to-end latency (send time is in the text; ~50 clients sampled),
 * lost and duplicated messages (every client checks the seq of every message), server CPU and
 * peak RSS. `idle` holds N idle connections and reports RSS per connection; `saturate` raises
 * the rate until p99 > 200 ms or a message is lost. `storm` seats N clients connecting as fast
 * as they can while 100 seated clients chat at 50 msgs/s (seat time, connections/s, the
 * chatters' latency and loss, server CPU). `--store` picks the room log: sqlite (the default,
 * in a temp data directory, as `pnpm server` keeps it) or memory (`--no-persist`); `all`
 * measures both at 1,000 clients x 1,000 msg/s. `crash` is the crash-safety soak: senders under
 * load, the server SIGKILLed `--kills` times at random moments and restarted on the same data,
 * then every acknowledged message checked.
 * `abuse` runs each abuse of issue 8 (bursts, DM floods, `who` floods, idle-socket floods, long
 * replays, rename floods; bench/abuse.ts).
 * `cluster` (issue 12) starts a private redis-server and compares, at the same offered load
 * (1,000 clients; 100 and 1,000 msgs/s, or `--rate`): 1 server without Redis, 1 server on
 * Redis, 2 servers on Redis with the clients split evenly; deliveries/s, loss, p50/p99, CPU per
 * server process and for redis-server (/proc/PID/stat). It is not part of `all`.
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { abuse } from './abuse.js';
import type { FromWorker, ToWorker } from './load-worker.js';
import type { ServerProcess } from './proc.js';
import { cpuSeconds, memory, packageDir, startServerProcess, writes } from './proc.js';
import { crashRun } from '../src/testing/crash-harness.js';
import type { RedisServer } from '../src/testing/redis-server.js';
import { redisServerPath, startRedis } from '../src/testing/redis-server.js';

const { values: args } = parseArgs({
  options: {
    mode: { type: 'string', default: 'all' },
    clients: { type: 'string' },
    senders: { type: 'string' },
    rate: { type: 'string' },
    duration: { type: 'string', default: '10' },
    workers: { type: 'string', default: '2' },
    'idle-clients': { type: 'string', default: '10000' },
    joins: { type: 'string' },
    'bulk-read-ms': { type: 'string', default: '0' },
    store: { type: 'string', default: 'sqlite' },
    kills: { type: 'string', default: '20' },
    prof: { type: 'boolean', default: false },
    tls: { type: 'boolean', default: false },
    users: { type: 'string', default: '10000' },
    'idle-sockets': { type: 'string', default: '10000' },
  },
});

type Store = 'sqlite' | 'memory';
const STORE = storeArg();
const WORKERS = Number(args.workers);
const DURATION_S = Number(args.duration);

interface LoadResult {
  tls: boolean;
  /** Where the server kept the room (set by {@link load}). */
  store?: Store;
  clients: number;
  senders: number;
  rate: number;
  sent: number;
  deliveries: number;
  deliveriesPerSec: number;
  lost: number;
  dups: number;
  closed: number;
  p50: number;
  p99: number;
  max: number;
  cpuPercent: number;
  /** Server CPU per delivery, microseconds. */
  cpuPerDeliveryUs: number;
  /** Deliveries per write syscall, and bytes written per delivery. */
  perWrite: number;
  bytesPerDelivery: number;
  peakRssMb: number;
}

class Workers {
  readonly procs: ChildProcess[] = [];
  #inbox: FromWorker[][] = [];
  #waiters: (() => void)[] = [];

  constructor(
    count: number,
    /** Whether its clients connect over TLS. */
    readonly tls: boolean,
  ) {
    for (let i = 0; i < count; i++) {
      const child = fork(join(packageDir, 'bench', 'load-worker.ts'), [], {
        execArgv: ['--import', 'tsx'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      this.#inbox.push([]);
      child.on('message', (m: FromWorker) => {
        this.#inbox[i]!.push(m);
        for (const w of this.#waiters.splice(0)) w();
      });
      this.procs.push(child);
    }
  }

  send(i: number, msg: ToWorker): void {
    this.procs[i]!.send(msg);
  }

  broadcast(msg: ToWorker): void {
    for (let i = 0; i < this.procs.length; i++) this.send(i, msg);
  }

  /** Waits for one message of `type` from every worker. */
  async collect<T extends FromWorker['type']>(
    type: T,
    timeoutMs = 120_000,
  ): Promise<Extract<FromWorker, { type: T }>[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.#inbox.every((box) => box.some((m) => m.type === type))) {
        return this.#inbox.map((box) => {
          const idx = box.findIndex((m) => m.type === type);
          return box.splice(idx, 1)[0] as Extract<FromWorker, { type: T }>;
        });
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${type} from the workers`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 1000);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  async exit(): Promise<void> {
    await Promise.all(
      this.procs.map(
        (p) =>
          new Promise<void>((resolve) => {
            if (p.exitCode !== null) return resolve();
            p.once('exit', () => resolve());
            p.send({ type: 'exit' } satisfies ToWorker);
          }),
      ),
    );
  }
}

/** Where the room is kept: the server's temp data directory (proc.ts), or memory only. */
function storeFlags(store: Store): string[] {
  return store === 'memory' ? ['--no-persist'] : [];
}

function storeArg(): Store {
  const store = args.store;
  if (store !== 'sqlite' && store !== 'memory') {
    console.error(`unknown --store ${store} (sqlite, memory)`);
    process.exit(2);
  }
  return store;
}

function serverFlags(clients: number): string[] {
  return [
    '--rate',
    '1000000',
    '--burst',
    '1000000',
    '--max-clients',
    String(clients + 100),
    '--idle-timeout',
    '10m',
    // The generators (and the join storm) open thousands of connections at once from 127.0.0.1.
    '--max-waiting-per-address',
    '100000',
    '--max-waiting',
    '100000',
    '--log-level',
    'warn',
  ];
}

function nodeFlags(label: string): string[] {
  if (!args.prof) return [];
  const dir = join(packageDir, '.bench');
  mkdirSync(dir, { recursive: true });
  // One profile per thread (tsx runs a loader thread too): the main one is the largest.
  return ['--cpu-prof', `--cpu-prof-dir=${join(dir, label)}`];
}

async function withClients<T>(
  clients: number,
  senders: number,
  tls: boolean,
  label: string,
  body: (server: ServerProcess, workers: Workers) => Promise<T>,
  maxClients = clients,
  store: Store = STORE,
): Promise<T> {
  const server = await startServerProcess(
    [...serverFlags(maxClients), ...storeFlags(store)],
    nodeFlags(label),
  );
  const workers = new Workers(WORKERS, tls);
  try {
    await connectClients(workers, [server.port], clients, senders);
    return await body(server, workers);
  } finally {
    await workers.exit();
    const code = await server.stop();
    if (code !== 0) console.error(`server exited with ${code}`);
  }
}

/**
 * Seats `clients` clients from the workers, split evenly over the servers at `ports`, `senders`
 * of them spread evenly among them; ~50 sampled for latency.
 */
async function connectClients(
  workers: Workers,
  ports: number[],
  clients: number,
  senders: number,
): Promise<void> {
  const per = Math.ceil(clients / WORKERS);
  const senderIdx = Array.from({ length: senders }, (_, i) => Math.floor((i * clients) / senders));
  for (let w = 0; w < WORKERS; w++) {
    const first = w * per;
    const count = Math.max(0, Math.min(per, clients - first));
    workers.send(w, {
      type: 'connect',
      ports,
      first,
      count,
      senders: senderIdx.filter((i) => i >= first && i < first + count),
      sampleEvery: Math.max(1, Math.floor(clients / 50)),
      bulkReadMs: Number(args['bulk-read-ms']),
      tls: workers.tls,
    });
  }
  const ready = await workers.collect('ready');
  const failed = ready.reduce((n, r) => n + r.failed, 0);
  if (failed > 0) throw new Error(`${failed} clients failed to register`);
}

async function phase(
  server: ServerProcess,
  workers: Workers,
  clients: number,
  senders: number,
  rate: number,
  durationS: number,
  /** Runs while the clients chat; the chat stops when it resolves (`durationS` is then unused). */
  during?: () => Promise<void>,
): Promise<LoadResult> {
  const cpu0 = cpuSeconds(server.pid);
  const io0 = writes(server.pid);
  const t0 = performance.now();
  workers.broadcast({
    type: 'run',
    perSenderRate: rate / senders,
    durationMs: during ? 3_600_000 : durationS * 1000,
  });
  if (during) {
    await during();
    workers.broadcast({ type: 'stop' });
  }
  const sent = (await workers.collect('sent')).reduce((n, s) => n + s.count, 0);
  workers.broadcast({ type: 'drain', expected: sent, timeoutMs: 5_000 });
  const stats = await workers.collect('stats');
  if (process.env['BENCH_DEBUG'])
    console.error(
      stats.map((s) => ({ ...s, latencies: s.latencies.length })),
      { sent },
    );
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(server.pid) - cpu0;
  const io = writes(server.pid);
  const deliveries = stats.reduce((n, s) => n + s.received, 0);
  const lat = stats.flatMap((s) => s.latencies).sort((a, b) => a - b);
  const q = (p: number) =>
    lat.length ? lat[Math.min(lat.length - 1, Math.floor(p * lat.length))]! : NaN;
  return {
    tls: workers.tls,
    clients,
    senders,
    rate,
    sent,
    deliveries,
    deliveriesPerSec: deliveries / Math.max(durationS, elapsed - 0.0),
    lost: Math.max(0, sent * clients - deliveries),
    dups: stats.reduce((n, s) => n + s.dups, 0),
    closed: stats.reduce((n, s) => n + s.closed, 0),
    p50: q(0.5),
    p99: q(0.99),
    max: lat.at(-1) ?? NaN,
    cpuPercent: (cpu / elapsed) * 100,
    cpuPerDeliveryUs: (cpu / deliveries) * 1e6,
    perWrite: deliveries / Math.max(1, io.calls - io0.calls),
    bytesPerDelivery: (io.bytes - io0.bytes) / deliveries,
    peakRssMb: memory(server.pid).peak / 2 ** 20,
  };
}

async function load(
  clients: number,
  senders: number,
  rate: number,
  tls = args.tls,
  store: Store = STORE,
): Promise<LoadResult> {
  const label = `load-${store}-${clients}-${rate}${tls ? '-tls' : ''}`;
  const result = await withClients(
    clients,
    senders,
    tls,
    label,
    async (server, workers) => {
      await phase(server, workers, clients, senders, rate, 2); // warm-up, not reported
      return phase(server, workers, clients, senders, rate, DURATION_S);
    },
    clients,
    store,
  );
  return { ...result, store };
}

async function saturate(clients: number, senders: number): Promise<LoadResult[]> {
  return withClients(clients, senders, args.tls, `saturate-${clients}`, async (server, workers) => {
    await phase(server, workers, clients, senders, 500, 2);
    const results: LoadResult[] = [];
    for (const rate of [1000, 1500, 2000, 2500, 3000, 4000, 5000, 6000, 8000]) {
      const r = await phase(server, workers, clients, senders, rate, 5);
      results.push(r);
      printLoad([r]);
      if (r.p99 > 200 || r.lost > 0 || r.dups > 0 || r.closed > 0) break;
    }
    return results;
  });
}

interface StormResult {
  joins: number;
  seated: number;
  failed: number;
  seatS: number;
  perSec: number;
  cpuS: number;
  chat: LoadResult;
}

/**
 * A join storm: `chatters` seated clients chat at `rate` msgs/s in total while `joins` more
 * connect as fast as they can (from their own generator processes). The chat lasts exactly as
 * long as the storm, so its latency and loss are the storm's.
 */
async function storm(joins: number, chatters = 100, rate = 50): Promise<StormResult> {
  return withClients(
    chatters,
    chatters,
    false,
    `storm-${joins}`,
    async (server, chat) => {
      await phase(server, chat, chatters, chatters, rate, 1); // warm-up, not reported
      const stormers = new Workers(WORKERS, false);
      try {
        let seated: FromWorkerOf<'seated'>[] = [];
        let cpuS = 0;
        const per = Math.ceil(joins / WORKERS);
        const result = await phase(server, chat, chatters, chatters, rate, 0, async () => {
          const cpu0 = cpuSeconds(server.pid);
          for (let w = 0; w < WORKERS; w++) {
            const first = chatters + w * per;
            stormers.send(w, {
              type: 'storm',
              port: server.port,
              first,
              count: Math.max(0, Math.min(per, joins - (first - chatters))),
              lanes: 1_000,
              // Thousands of clients on the server's own machine: read as a remote kernel
              // would batch, so the generator leaves the CPU to the server and the chatters.
              bulkReadMs: 500,
            });
          }
          seated = await stormers.collect('seated', 300_000);
          cpuS = cpuSeconds(server.pid) - cpu0;
        });
        const seatS = Math.max(...seated.map((s) => s.ms)) / 1000;
        const ok = seated.reduce((n, s) => n + s.seated, 0);
        return {
          joins,
          seated: ok,
          failed: seated.reduce((n, s) => n + s.failed, 0),
          seatS,
          perSec: ok / seatS,
          cpuS,
          chat: result,
        };
      } finally {
        await stormers.exit();
      }
    },
    chatters + joins + 100,
  );
}

function printStorm(rows: StormResult[]): void {
  console.table(
    rows.map((r) => ({
      joins: r.joins,
      seated: r.seated,
      failed: r.failed,
      'seat time s': +r.seatS.toFixed(2),
      'connections/s': Math.round(r.perSec),
      'server CPU s': +r.cpuS.toFixed(1),
      'chat msgs/s': r.chat.rate,
      'chat p50 ms': +r.chat.p50.toFixed(1),
      'chat p99 ms': +r.chat.p99.toFixed(1),
      'chat lost': r.chat.lost,
      'chat dup': r.chat.dups,
      'peak RSS MB': +r.chat.peakRssMb.toFixed(1),
    })),
  );
}

type FromWorkerOf<T extends FromWorker['type']> = Extract<FromWorker, { type: T }>;

/** Asks the server (started with the GC hook) for a full GC, and waits for it to settle. */
async function collectGarbage(server: ServerProcess): Promise<void> {
  server.child.kill('SIGUSR2');
  await new Promise((r) => setTimeout(r, 1500));
}

async function idle(clients: number): Promise<void> {
  const server = await startServerProcess(
    [...serverFlags(clients), ...storeFlags(STORE)],
    [
      ...nodeFlags('idle'),
      '--expose-gc',
      '--import',
      join(packageDir, 'bench', 'gc-on-signal.mjs'),
    ],
  );
  await new Promise((r) => setTimeout(r, 1000));
  await collectGarbage(server);
  const before = memory(server.pid).rss;
  const workers = new Workers(WORKERS, args.tls);
  try {
    const per = Math.ceil(clients / WORKERS);
    for (let w = 0; w < WORKERS; w++) {
      const first = w * per;
      workers.send(w, {
        type: 'connect',
        ports: [server.port],
        first,
        count: Math.max(0, Math.min(per, clients - first)),
        senders: [],
        sampleEvery: 1e9,
        bulkReadMs: 0,
        tls: args.tls,
      });
    }
    const ready = await workers.collect('ready', 300_000);
    const connected = ready.reduce((n, r) => n + r.connected, 0);
    await new Promise((r) => setTimeout(r, 2000));
    const held = memory(server.pid);
    await collectGarbage(server);
    const after = memory(server.pid);
    console.log('\nidle connections');
    console.table([
      {
        connections: connected,
        'empty RSS MB': +(before / 2 ** 20).toFixed(1),
        'RSS MB': +(held.rss / 2 ** 20).toFixed(1),
        'KB/conn': +((held.rss - before) / connected / 1024).toFixed(2),
        'RSS after GC MB': +(after.rss / 2 ** 20).toFixed(1),
        'KB/conn after GC': +((after.rss - before) / connected / 1024).toFixed(2),
        'peak RSS MB': +(after.peak / 2 ** 20).toFixed(1),
        'start-up ms': Math.round(server.startupMs),
      },
    ]);
  } finally {
    await workers.exit();
    await server.stop();
  }
}

function printLoad(rows: LoadResult[]): void {
  console.table(
    rows.map((r) => ({
      transport: r.tls ? 'tls' : 'tcp',
      store: r.store ?? STORE,
      clients: r.clients,
      senders: r.senders,
      'msgs/s': r.rate,
      sent: r.sent,
      'deliveries/s': Math.round(r.deliveriesPerSec),
      lost: r.lost,
      dup: r.dups,
      dropped: r.closed,
      'p50 ms': +r.p50.toFixed(2),
      'p99 ms': +r.p99.toFixed(2),
      'max ms': +r.max.toFixed(1),
      'server CPU %': Math.round(r.cpuPercent),
      'CPU µs/delivery': +r.cpuPerDeliveryUs.toFixed(3),
      'deliveries/write': +r.perWrite.toFixed(1),
      'bytes/delivery': Math.round(r.bytesPerDelivery),
      'peak RSS MB': +r.peakRssMb.toFixed(1),
    })),
  );
}

/** The crash-safety soak (the test's harness, longer and wider). */
async function crash(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ciao-crash-soak-'));
  const seed = Date.now() % 1_000_000;
  const t0 = performance.now();
  try {
    const run = await crashRun({
      dataDir,
      senders: Number(args.senders ?? 20),
      window: 16,
      kills: Number(args.kills),
      maxAcksBetween: 3_000,
      seed,
      // Every message is checked at the end: keep them all.
      serverArgs: ['--retain', '100000000'],
    });
    console.table([
      {
        kills: run.kills,
        'messages acknowledged': run.acked,
        sent: run.sent,
        problems: run.problems.length,
        seconds: +((performance.now() - t0) / 1000).toFixed(1),
        seed,
      },
    ]);
    for (const p of run.problems.slice(0, 20)) console.error(`  ${p}`);
    if (run.problems.length > 0) process.exitCode = 1;
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

interface ClusterResult {
  /** Whether the servers shared the room through Redis. */
  redis: boolean;
  servers: number;
  load: LoadResult;
  /** CPU of each ciao server process, % of one core over the measured run. */
  serverCpu: number[];
  /** The same for redis-server (undefined without Redis). */
  redisCpu: number | undefined;
  /** All CPU (servers and Redis) per delivery, microseconds. */
  cpuPerDeliveryUs: number;
  peakRssMb: number[];
}

/** What --mode cluster says, in one line, when it cannot run here. */
const CLUSTER_NEEDS_REDIS =
  'bench --mode cluster needs redis-server (apt-get install redis-server)';
const CLUSTER_NEEDS_CORE =
  "bench --mode cluster needs the server's --redis flag (issue 12), which this checkout does not have yet";

/** Starts a ciao server; a server without --redis is reported as such, not as a crash. */
async function startClusterServer(flags: string[], label: string): Promise<ServerProcess> {
  try {
    return await startServerProcess(flags, nodeFlags(label));
  } catch (err) {
    if (String(err).includes('unknown flag --redis')) throw new Error(CLUSTER_NEEDS_CORE);
    throw err;
  }
}

/**
 * Issue 12's comparison: the same clients and offered load on `servers` ciao servers sharing
 * the room through `redis` (clients split evenly between them), or on one server without Redis.
 * CPU is read from /proc for every server and for redis-server.
 */
async function clusterLoad(
  redis: RedisServer | undefined,
  servers: number,
  clients: number,
  senders: number,
  rate: number,
): Promise<ClusterResult> {
  // Each run starts from an empty Redis: no room, names or history left by the one before.
  if (redis) await redis.restart();
  const flags = [...serverFlags(clients), '--no-persist', ...(redis ? ['--redis', redis.url] : [])];
  const procs: ServerProcess[] = [];
  let workers: Workers | undefined;
  try {
    for (let i = 0; i < servers; i++)
      procs.push(await startClusterServer(flags, `cluster-${servers}-${rate}-${i}`));
    workers = new Workers(WORKERS, false);
    await connectClients(
      workers,
      procs.map((p) => p.port),
      clients,
      senders,
    );
    await phase(procs[0]!, workers, clients, senders, rate, 2); // warm-up, not reported
    const pids = procs.map((p) => p.pid);
    const cpu0 = pids.map(cpuSeconds);
    const redisCpu0 = redis ? cpuSeconds(redis.pid) : 0;
    const t0 = performance.now();
    // phase's own CPU and write figures are server 0's alone: the per-process ones are below.
    const load = await phase(procs[0]!, workers, clients, senders, rate, DURATION_S);
    const elapsed = (performance.now() - t0) / 1000;
    const serverCpuS = pids.map((pid, i) => cpuSeconds(pid) - cpu0[i]!);
    const redisCpuS = redis ? cpuSeconds(redis.pid) - redisCpu0 : 0;
    const totalCpuS = serverCpuS.reduce((a, b) => a + b, 0) + redisCpuS;
    return {
      redis: redis !== undefined,
      servers,
      load,
      serverCpu: serverCpuS.map((c) => (c / elapsed) * 100),
      redisCpu: redis ? (redisCpuS / elapsed) * 100 : undefined,
      cpuPerDeliveryUs: (totalCpuS / load.deliveries) * 1e6,
      peakRssMb: pids.map((pid) => memory(pid).peak / 2 ** 20),
    };
  } finally {
    await workers?.exit();
    for (const p of procs) await p.stop();
  }
}

function printCluster(rows: ClusterResult[]): void {
  console.table(
    rows.map((r) => ({
      setup: r.redis ? `${r.servers} on Redis` : '1, no Redis',
      clients: r.load.clients,
      senders: r.load.senders,
      'msgs/s': r.load.rate,
      sent: r.load.sent,
      'deliveries/s': Math.round(r.load.deliveriesPerSec),
      lost: r.load.lost,
      dup: r.load.dups,
      dropped: r.load.closed,
      'p50 ms': +r.load.p50.toFixed(2),
      'p99 ms': +r.load.p99.toFixed(2),
      'max ms': +r.load.max.toFixed(1),
      'server CPU %': r.serverCpu.map((c) => Math.round(c)).join(' / '),
      'redis CPU %': r.redisCpu === undefined ? '-' : Math.round(r.redisCpu),
      'CPU µs/delivery': +r.cpuPerDeliveryUs.toFixed(3),
      'peak RSS MB': r.peakRssMb.map((m) => m.toFixed(0)).join(' / '),
    })),
  );
}

/**
 * `--mode cluster`: 1 server without Redis, 1 on Redis, 2 on Redis with the clients split
 * evenly, at 100 and 1,000 msgs/s (or `--rate`), on a private redis-server.
 */
async function cluster(): Promise<void> {
  if (redisServerPath() === undefined) throw new Error(CLUSTER_NEEDS_REDIS);
  const clients = Number(args.clients ?? 1000);
  const rates = args.rate ? [Number(args.rate)] : [100, 1000];
  const redis = await startRedis();
  try {
    for (const rate of rates) {
      const senders = Number(args.senders ?? (rate >= 1000 ? 100 : 10));
      // The runs on Redis first: a server without --redis fails at once, not after a run.
      const one = await clusterLoad(redis, 1, clients, senders, rate);
      const two = await clusterLoad(redis, 2, clients, senders, rate);
      const alone = await clusterLoad(undefined, 1, clients, senders, rate);
      const rows = [alone, one, two];
      printCluster(rows);
      const met = two.load.lost === 0 && two.load.dups === 0 && two.load.p99 < 100;
      console.log(
        `${rate} msgs/s: 2 servers on Redis add ${(two.load.p50 - alone.load.p50).toFixed(1)} ms ` +
          `at p50 and ${(two.load.p99 - alone.load.p99).toFixed(1)} ms at p99 to 1 server alone` +
          (rate === 1000 ? ` (goal 0 loss, p99 < 100 ms: ${met ? 'met' : 'NOT met'})` : ''),
      );
    }
  } finally {
    await redis.stop();
  }
}

/** Fan-out at 1,000 clients and 1,000 msg/s, memory-only beside persistent. */
function printPersistenceCost(memoryOnly: LoadResult, sqlite: LoadResult): void {
  const ratio = sqlite.deliveriesPerSec / memoryOnly.deliveriesPerSec;
  const met = ratio >= 0.9 && sqlite.lost === 0 && sqlite.p99 < 100;
  console.log(
    `persistence: ${(ratio * 100).toFixed(1)}% of memory-only deliveries/s ` +
      `(goal >= 90%, 0 loss, p99 < 100 ms: ${met ? 'met' : 'NOT met'})`,
  );
}

const mode = args.mode;
if (mode === 'load') {
  const clients = Number(args.clients ?? 1000);
  printLoad([await load(clients, Number(args.senders ?? 10), Number(args.rate ?? 100))]);
} else if (mode === 'idle') {
  await idle(Number(args['idle-clients']));
} else if (mode === 'saturate') {
  console.log('saturation (rate raised until p99 > 200 ms or loss):');
  await saturate(Number(args.clients ?? 1000), Number(args.senders ?? 100));
} else if (mode === 'storm') {
  console.log('join storm (100 clients chat at 50 msgs/s while N more connect):');
  const sizes = (args.joins ?? '2000,10000').split(',').map(Number);
  for (const n of sizes) printStorm([await storm(n)]);
} else if (mode === 'abuse') {
  await abuse(Number(args.users), Number(args['idle-sockets']));
} else if (mode === 'all') {
  console.log(`ciao server benchmark: ${DURATION_S} s per run, ${WORKERS} generator processes`);
  const rows = [await load(1000, 10, 100)];
  printLoad(rows);
  const memoryOnly = await load(1000, 100, 1000, false, 'memory');
  const sqlite = await load(1000, 100, 1000, false, 'sqlite');
  printLoad([memoryOnly, sqlite]);
  printPersistenceCost(memoryOnly, sqlite);
  // The same fan-out over TLS, beside it: what encryption costs the server.
  printLoad([await load(1000, 100, 1000, true)]);
  await idle(Number(args['idle-clients']));
  console.log('\njoin storm (100 clients chat at 50 msgs/s while N more connect):');
  for (const n of [2000, 10000]) printStorm([await storm(n)]);
  console.log('\nsaturation (rate raised until p99 > 200 ms or loss):');
  await saturate(1000, 100);
  console.log(`\ncrash-safety soak: ${args.kills} SIGKILLs under load`);
  await crash();
  console.log();
  await abuse(Number(args.users), Number(args['idle-sockets']));
} else if (mode === 'cluster') {
  console.log(
    `several servers on one Redis (issue 12): ${DURATION_S} s per run, ${WORKERS} generator processes`,
  );
  try {
    await cluster();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (message !== CLUSTER_NEEDS_CORE && message !== CLUSTER_NEEDS_REDIS) throw err;
    console.error(message);
    process.exit(1);
  }
} else if (mode === 'crash') {
  console.log(`crash-safety soak: ${args.kills} SIGKILLs under load`);
  await crash();
} else {
  console.error(`unknown --mode ${mode} (all, load, idle, storm, saturate, crash, abuse, cluster)`);
  process.exit(2);
}
process.exit(process.exitCode ?? 0);
