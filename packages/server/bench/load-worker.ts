/**
 * One load-generator process: holds a share of the clients, sends for its senders, and
 * checks every delivery cheaply (type and seq read straight from the bytes; latency parsed
 * only on sampled clients). Driven by the parent over IPC.
 */
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';

export type ToWorker =
  | {
      type: 'connect';
      /**
       * The servers to connect to (several share one room through Redis): this worker's clients
       * are split into equal consecutive blocks, one per server, so sampled clients and senders
       * are spread over all of them.
       */
      ports: number[];
      first: number;
      count: number;
      senders: number[];
      sampleEvery: number;
      /** Clients not sampled for latency read every this many ms (0: as data arrives). */
      bulkReadMs: number;
      /** Connect over TLS (the server's certificate is not checked: this measures cost). */
      tls: boolean;
    }
  /** Opens `count` clients as fast as the machine allows (a join storm); answers `seated`. */
  | {
      type: 'storm';
      port: number;
      first: number;
      count: number;
      lanes: number;
      /** Seated clients read every this many ms (see startBulkReading); 0: as data arrives. */
      bulkReadMs: number;
    }
  /** A `stop` ends the run before `durationMs`. */
  | { type: 'run'; perSenderRate: number; durationMs: number }
  | { type: 'stop' }
  | { type: 'drain'; expected: number; timeoutMs: number }
  | { type: 'exit' };

export type FromWorker =
  | { type: 'ready'; connected: number; failed: number }
  | { type: 'seated'; seated: number; failed: number; ms: number }
  | { type: 'sent'; count: number }
  | {
      type: 'stats';
      received: number;
      gaps: number;
      dups: number;
      closed: number;
      minReceived: number;
      latencies: number[];
    };

const NL = 0x0a;
const MESSAGE_PREFIX = Buffer.from('{"type":"message","seq":');
const TEXT_KEY = Buffer.from('"text":"');

const now = (): number => performance.timeOrigin + performance.now();

class Client {
  tail: Buffer | undefined;
  welcomed = false;
  counting = false;
  lastSeq = 0;
  received = 0;
  gaps = 0;
  dups = 0;
  closed = false;
  sent = 0;
  latencies: number[] | undefined;
  onWelcome: () => void = onWelcome;
  constructor(
    readonly index: number,
    readonly socket: Socket,
    sample: boolean,
  ) {
    if (sample) this.latencies = [];
  }

  onData(chunk: Buffer): void {
    let buf = chunk;
    if (this.tail) {
      buf = Buffer.concat([this.tail, chunk]);
      this.tail = undefined;
    }
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(NL, start);
      if (nl === -1) break;
      this.line(buf, start, nl);
      start = nl + 1;
    }
    if (start < buf.length) this.tail = Buffer.from(buf.subarray(start));
  }

  line(buf: Buffer, start: number, end: number): void {
    if (!this.welcomed) {
      if (buf[start + 9] === 0x77 /* w of welcome */) {
        this.welcomed = true;
        this.onWelcome();
      }
      return;
    }
    if (!this.counting || end - start < MESSAGE_PREFIX.length) return;
    if (
      buf.compare(
        MESSAGE_PREFIX,
        0,
        MESSAGE_PREFIX.length,
        start,
        start + MESSAGE_PREFIX.length,
      ) !== 0
    )
      return;
    let seq = 0;
    let i = start + MESSAGE_PREFIX.length;
    for (let c = buf[i]!; c >= 0x30 && c <= 0x39; c = buf[++i]!) seq = seq * 10 + (c - 0x30);
    if (this.lastSeq !== 0) {
      if (seq <= this.lastSeq) this.dups++;
      else if (seq !== this.lastSeq + 1) this.gaps += seq - this.lastSeq - 1;
    }
    if (seq > this.lastSeq) this.lastSeq = seq;
    this.received++;
    if (this.latencies) {
      const t = buf.indexOf(TEXT_KEY, i);
      if (t !== -1 && t < end) {
        const sentAt = parseFloat(
          buf.toString('latin1', t + TEXT_KEY.length, t + TEXT_KEY.length + 24),
        );
        this.latencies.push(now() - sentAt);
      }
    }
  }
}

let clients: Client[] = [];
let senders: Client[] = [];
let expectedWelcomes = 0;
let welcomes = 0;
let failed = 0;

function send(msg: FromWorker): void {
  process.send!(msg);
}

function onWelcome(): void {
  welcomes++;
  checkReady();
}

function checkReady(): void {
  if (welcomes + failed === expectedWelcomes) send({ type: 'ready', connected: welcomes, failed });
}

async function connectAll(msg: Extract<ToWorker, { type: 'connect' }>): Promise<void> {
  expectedWelcomes = msg.count;
  const senderSet = new Set(msg.senders);
  const CONCURRENCY = 200;
  let next = 0;
  const openOne = (): Promise<void> =>
    new Promise((resolve) => {
      const index = msg.first + next++;
      const port = msg.ports[Math.floor(((index - msg.first) * msg.ports.length) / msg.count)]!;
      const socket = msg.tls
        ? connectTls({ port, host: '127.0.0.1', rejectUnauthorized: false })
        : connect({ port, host: '127.0.0.1' });
      const client = new Client(index, socket, index % msg.sampleEvery === 0);
      clients.push(client);
      if (senderSet.has(index)) senders.push(client);
      socket.on('data', (d: Buffer) => client.onData(d));
      socket.on('error', () => {});
      socket.on('close', () => {
        client.closed = true;
        if (!client.welcomed) {
          failed++;
          checkReady();
        }
      });
      socket.once(msg.tls ? 'secureConnect' : 'connect', () => {
        socket.setNoDelay(true);
        socket.write(JSON.stringify({ type: 'hello', protocol: 1, name: `c${index}` }) + '\n');
        resolve();
      });
      socket.once('error', () => resolve());
    });
  const lanes = Array.from({ length: CONCURRENCY }, async () => {
    while (next < msg.count) await openOne();
  });
  await Promise.all(lanes);
  if (msg.bulkReadMs > 0) startBulkReading(msg.bulkReadMs);
}

/**
 * The generator shares the machine with the server, and in Node a read costs the same however
 * little it brings. Clients that do not measure latency therefore read in bulk, once every
 * `ms` (as one remote client's kernel would batch), leaving the CPU to the server and to the
 * sampled clients, which read as soon as data arrives. Every delivery is still counted.
 */
function startBulkReading(ms: number): void {
  const bulk = clients.filter((c) => !c.latencies);
  for (const c of bulk) c.socket.pause();
  setInterval(() => {
    for (const c of bulk) c.socket.resume();
    setImmediate(() => {
      for (const c of bulk) c.socket.pause();
    });
  }, ms);
}

/**
 * A join storm: `count` clients connect at once (`lanes` connections in flight) and each
 * sends `hello` as soon as it is connected. They read what they are sent (the joins of the
 * others) but count nothing; `seated` reports when every one of them has its `welcome`.
 */
function storm(msg: Extract<ToWorker, { type: 'storm' }>): void {
  const t0 = performance.now();
  let seated = 0;
  let failedHere = 0;
  let next = 0;
  const done = (): void => {
    if (seated + failedHere === msg.count)
      send({ type: 'seated', seated, failed: failedHere, ms: performance.now() - t0 });
  };
  const openOne = (): void => {
    const index = msg.first + next++;
    const socket = connect({ port: msg.port, host: '127.0.0.1' });
    const client = new Client(index, socket, false);
    clients.push(client);
    let settled = false;
    const settle = (ok: boolean): void => {
      if (settled) return;
      settled = true;
      if (ok) seated++;
      else failedHere++;
      done();
      if (next < msg.count) openOne();
    };
    client.onWelcome = () => {
      if (msg.bulkReadMs > 0) readInBulk(client, msg.bulkReadMs);
      settle(true);
    };
    socket.on('data', (d: Buffer) => client.onData(d));
    socket.on('error', () => settle(false));
    socket.on('close', () => {
      client.closed = true;
      settle(false);
    });
    socket.once('connect', () => {
      socket.setNoDelay(true);
      socket.write(`{"type":"hello","protocol":1,"name":"s${index}"}\n`);
    });
  };
  for (let i = 0; i < Math.min(msg.lanes, msg.count); i++) openOne();
}

let bulkTimer: NodeJS.Timeout | undefined;
const bulkReaders: Client[] = [];

/** Adds one client to those reading in bulk (see startBulkReading). */
function readInBulk(client: Client, ms: number): void {
  client.socket.pause();
  bulkReaders.push(client);
  bulkTimer ??= setInterval(() => {
    for (const c of bulkReaders) c.socket.resume();
    setImmediate(() => {
      for (const c of bulkReaders) c.socket.pause();
    });
  }, ms);
}

let phaseNo = 0;

function run(msg: Extract<ToWorker, { type: 'run' }>): void {
  // Ids are unique across phases: the server deduplicates a repeated id per session.
  const phase = ++phaseNo;
  for (const c of clients) {
    c.counting = true;
    c.lastSeq = 0;
    c.received = 0;
    c.gaps = 0;
    c.dups = 0;
    if (c.latencies) c.latencies = [];
    c.sent = 0;
  }
  const t0 = performance.now();
  const pad = ' lorem ipsum dolor sit amet, consectetur';
  const tick = (): void => {
    const elapsed = Math.min(performance.now() - t0, stopAt ?? msg.durationMs);
    const due = (elapsed * msg.perSenderRate) / 1000;
    for (const s of senders) {
      if (s.closed) continue;
      // Each sender is offset by its own fraction of a period, so the total rate is steady
      // instead of every sender firing at once (100 senders at 0.5/s: 100 messages every 2 s).
      const mine = Math.floor(due + ((s.index * 0.618034) % 1));
      let out = '';
      for (; s.sent < mine; s.sent++) {
        out += `{"type":"say","text":"${now().toFixed(3)}${pad}","id":"${phase}-${s.index}-${s.sent}"}\n`;
      }
      if (out) s.socket.write(out);
    }
    if (elapsed >= (stopAt ?? msg.durationMs)) {
      clearInterval(timer);
      stopRun = undefined;
      send({ type: 'sent', count: senders.reduce((n, s) => n + s.sent, 0) });
    }
  };
  let stopAt: number | undefined;
  const timer = setInterval(tick, 2);
  stopRun = () => {
    stopAt = performance.now() - t0;
  };
}

/** Ends the current run early (a storm's chat lasts as long as the storm). */
let stopRun: (() => void) | undefined;

function drain(msg: Extract<ToWorker, { type: 'drain' }>): void {
  const deadline = performance.now() + msg.timeoutMs;
  const check = (): void => {
    const done = clients.every((c) => c.closed || c.received >= msg.expected);
    if (!done && performance.now() < deadline) {
      setTimeout(check, 20);
      return;
    }
    for (const c of clients) c.counting = false;
    const latencies: number[] = [];
    for (const c of clients) if (c.latencies) for (const l of c.latencies) latencies.push(l);
    send({
      type: 'stats',
      received: clients.reduce((n, c) => n + c.received, 0),
      gaps: clients.reduce((n, c) => n + c.gaps, 0),
      dups: clients.reduce((n, c) => n + c.dups, 0),
      closed: clients.filter((c) => c.closed).length,
      minReceived: Math.min(...clients.map((c) => c.received)),
      latencies,
    });
  };
  check();
}

process.on('message', (msg: ToWorker) => {
  switch (msg.type) {
    case 'connect':
      void connectAll(msg);
      break;
    case 'run':
      run(msg);
      break;
    case 'stop':
      stopRun?.();
      break;
    case 'storm':
      storm(msg);
      break;
    case 'drain':
      drain(msg);
      break;
    case 'exit':
      for (const c of clients) c.socket.destroy();
      clients = [];
      senders = [];
      process.exit(0);
  }
});
