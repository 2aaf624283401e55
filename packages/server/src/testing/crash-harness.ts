import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';

/**
 * Crash safety under load, for the test and the bench soak: senders keep messages in flight,
 * the server is SIGKILLed at a random moment (after a random number of acknowledgements),
 * restarted on the same data, and every sender resumes with its token, `since` and epoch and
 * resends what was not acknowledged, with the same ids. What the run records lets the caller
 * check: nothing acknowledged lost, nothing doubled, no seq repeated or gone backwards.
 */

const packageDir = fileURLToPath(new URL('../..', import.meta.url));

type Json = { type: string; [field: string]: unknown };

export interface ServerHandle {
  readonly port: number;
  readonly child: ChildProcess;
}

/** Starts the CLI from source on the data directory, on an ephemeral port. */
export function startCliServer(
  dataDir: string,
  extra: readonly string[] = [],
): Promise<ServerHandle> {
  const child = spawn(
    process.execPath,
    [
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
      '--rate',
      '100000',
      '--burst',
      '100000',
      '--log-level',
      'warn',
      ...extra,
    ],
    { cwd: packageDir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /listening on [^\s]+:(\d+)/.exec(out);
      if (m) resolve({ port: Number(m[1]), child });
    });
    child.once('exit', (code) => reject(new Error(`server exited (${code}) at start:\n${err}`)));
  });
}

/** SIGKILL, and resolves once the process is gone. */
export function killHard(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/** A small deterministic PRNG (mulberry32), so a failing run can be replayed from its seed. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One sending client that survives server restarts. */
export class CrashSender {
  readonly name: string;
  token: string | undefined;
  epoch: string | undefined;
  /** Highest seq seen (the `since` of the next resume). */
  lastSeq = 0;
  /** id -> seq of the echo that acknowledged it. */
  readonly acked = new Map<string, number>();
  /** Sent, not acknowledged yet (resent on every resume). */
  readonly pending = new Map<string, string>();
  /** Every event seen, seq -> its identity (type, from, text, id): a seq must never change. */
  readonly seen = new Map<number, string>();
  /** Problems seen as they happened (seq not increasing on a connection). */
  readonly violations: string[] = [];
  #socket: Socket | undefined;
  #next = 0;
  #window: number;
  #onAck: () => void;
  #connSeq = 0;

  constructor(name: string, window: number, onAck: () => void) {
    this.name = name;
    this.#window = window;
    this.#onAck = onAck;
  }

  /** Connects, says hello (resuming when it can), resends what is pending; resolves on welcome. */
  resume(port: number): Promise<Json> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host: '127.0.0.1' });
      this.#socket = socket;
      this.#connSeq = 0;
      let partial = '';
      let welcomed = false;
      socket.setEncoding('utf8');
      socket.on('error', (e) => {
        if (!welcomed) reject(e);
      });
      socket.on('data', (chunk: string) => {
        const lines = (partial + chunk).split('\n');
        partial = lines.pop()!;
        for (const line of lines) {
          const frame = parseFrame(line);
          if (frame === undefined) continue;
          if (frame.type === 'welcome') {
            welcomed = true;
            this.#welcome(frame);
            resolve(frame);
          } else this.#frame(frame);
        }
      });
      const hello: Json = { type: 'hello', protocol: 1, name: this.name };
      if (this.token !== undefined) {
        hello['token'] = this.token;
        hello['since'] = this.lastSeq;
        hello['epoch'] = this.epoch;
      }
      socket.write(JSON.stringify(hello) + '\n');
    });
  }

  /** Keeps `window` messages in flight from now on. */
  start(): void {
    while (this.pending.size < this.#window) this.#sendNew();
  }

  /** Sends nothing new from now on (what is pending still gets resent and acknowledged). */
  drain(): void {
    this.#window = 0;
  }

  close(): void {
    this.#socket?.destroy();
  }

  #welcome(frame: Json): void {
    if (this.epoch !== undefined && frame['epoch'] !== this.epoch)
      this.violations.push(
        `${this.name}: epoch changed from ${this.epoch} to ${String(frame['epoch'])}`,
      );
    if ((frame['seq'] as number) < this.lastSeq)
      this.violations.push(
        `${this.name}: welcome seq ${String(frame['seq'])} below the ${this.lastSeq} already seen`,
      );
    this.token = frame['token'] as string;
    this.epoch = frame['epoch'] as string;
    // Whatever was not acknowledged goes again, with the same id.
    for (const [id, text] of this.pending) this.#write({ type: 'say', text, id });
  }

  #frame(frame: Json): void {
    const seq = frame['seq'];
    if (typeof seq !== 'number') return;
    // Joins announced together arrive as one `joins` frame: one `join` event per name.
    if (frame.type === 'joins' && Array.isArray(frame['names'])) {
      frame['names'].forEach((name: unknown, i) =>
        this.#frame({ type: 'join', seq: seq + i, ts: frame['ts'], name }),
      );
      return;
    }
    const identity = identityOf(frame);
    const before = this.seen.get(seq);
    if (before !== undefined && before !== identity)
      this.violations.push(`${this.name}: seq ${seq} was ${before}, now ${identity}`);
    this.seen.set(seq, identity);
    // Live events on one connection arrive in increasing seq order. (A resent id is answered
    // with its original event, an older seq: that is the dedupe at work, not disorder.)
    const own = frame['from'] === this.name;
    if (seq <= this.#connSeq && frame['replay'] !== true && !own)
      this.violations.push(`${this.name}: live seq ${seq} after ${this.#connSeq}`);
    this.#connSeq = Math.max(this.#connSeq, seq);
    this.lastSeq = Math.max(this.lastSeq, seq);
    const id = frame['id'];
    if (frame.type === 'message' && frame['from'] === this.name && typeof id === 'string') {
      const known = this.acked.get(id);
      if (known !== undefined && known !== seq)
        this.violations.push(`${this.name}: ${id} acknowledged as ${known}, then as ${seq}`);
      this.acked.set(id, seq);
      if (this.pending.delete(id)) {
        this.#onAck();
        if (this.#running && this.pending.size < this.#window) this.#sendNew();
      }
    }
  }

  get #running(): boolean {
    return this.#socket !== undefined && !this.#socket.destroyed;
  }

  #sendNew(): void {
    const id = `${this.name}-${this.#next++}`;
    const text = `text of ${id}`;
    this.pending.set(id, text);
    this.#write({ type: 'say', text, id });
  }

  #write(frame: Json): void {
    if (this.#running) this.#socket!.write(JSON.stringify(frame) + '\n');
  }
}

/** A JSON frame, or undefined for anything else (the plain-text prompt a slow hello gets). */
function parseFrame(line: string): Json | undefined {
  if (!line.startsWith('{')) return undefined;
  return JSON.parse(line) as Json;
}

/** An event as a run compares it: the same seq must always name the same event. */
export function identityOf(frame: Json): string {
  return JSON.stringify([frame.type, frame['from'], frame['name'], frame['text'], frame['id']]);
}

/** Reads the whole retained log with a fresh client: a full replay, then `history` pages. */
export function readLog(
  port: number,
): Promise<{ seqs: number[]; byId: Map<string, number[]>; seen: Map<number, string> }> {
  const frames = new Map<number, Json>();
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    let partial = '';
    socket.setEncoding('utf8');
    socket.on('error', reject);
    socket.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop()!;
      for (const line of lines) {
        const frame = parseFrame(line);
        if (frame === undefined) continue;
        if (frame.type === 'history_end') {
          // A replay stops at its byte budget: page back through the rest.
          if (frame['more'] === true) {
            socket.write(
              JSON.stringify({ type: 'history', before: frame['before'], limit: 500 }) + '\n',
            );
            continue;
          }
          socket.destroy();
          const seqs = [...frames.keys()].sort((x, y) => x - y);
          const byId = new Map<string, number[]>();
          const seen = new Map<number, string>();
          for (const seq of seqs) {
            const f = frames.get(seq)!;
            seen.set(seq, identityOf(f));
            const id = f['id'];
            if (typeof id === 'string') byId.set(id, [...(byId.get(id) ?? []), seq]);
          }
          return resolve({ seqs, byId, seen });
        }
        const seq = frame['seq'];
        if (typeof seq !== 'number' || frame.type === 'welcome' || frame['replay'] !== true)
          continue;
        if (frames.has(seq)) reject(new Error(`seq ${seq} was sent twice in the replay`));
        frames.set(seq, frame);
      }
    });
    socket.write(JSON.stringify({ type: 'hello', protocol: 1, name: 'auditor', since: 0 }) + '\n');
  });
}

export interface CrashRun {
  readonly kills: number;
  readonly acked: number;
  readonly sent: number;
  readonly problems: string[];
}

/**
 * Runs `kills` crash rounds with `senders` clients keeping `window` messages each in flight;
 * each kill comes after a random number (1..maxAcksBetween) of acknowledgements. Returns what
 * broke, if anything.
 */
export async function crashRun(options: {
  dataDir: string;
  senders: number;
  window: number;
  kills: number;
  maxAcksBetween: number;
  seed: number;
  serverArgs?: readonly string[];
}): Promise<CrashRun> {
  const rand = random(options.seed);
  let server = await startCliServer(options.dataDir, options.serverArgs);
  let acks = 0;
  let killAt = Infinity;
  let killed: (() => void) | undefined;
  let settled: (() => void) | undefined;
  const onAck = (): void => {
    settled?.();
    if (++acks >= killAt && killed) {
      const k = killed;
      killed = undefined;
      k();
    }
  };
  const senders = Array.from(
    { length: options.senders },
    (_, i) => new CrashSender(`s${i}`, options.window, onAck),
  );
  const problems: string[] = [];
  let maxSeenBefore = 0;
  try {
    for (const s of senders) await s.resume(server.port);
    for (let round = 0; round <= options.kills; round++) {
      for (const s of senders) s.start();
      if (round === options.kills) break;
      // Kill after a random number of acknowledgements from now, under load.
      const target = acks + 1 + Math.floor(rand() * options.maxAcksBetween);
      await new Promise<void>((resolve) => {
        killAt = target;
        killed = resolve;
        if (acks >= target) resolve();
      });
      await killHard(server.child);
      for (const s of senders) s.close();
      maxSeenBefore = Math.max(maxSeenBefore, ...senders.map((s) => s.lastSeq));
      server = await startCliServer(options.dataDir, options.serverArgs);
      for (const s of senders) {
        const welcome = await s.resume(server.port);
        if ((welcome['seq'] as number) < maxSeenBefore)
          problems.push(
            `after kill ${round + 1}: welcome seq ${String(welcome['seq'])} is below ${maxSeenBefore}, a seq some client had seen`,
          );
      }
    }
    // Let every message still in flight be acknowledged: nothing stays pending.
    for (const s of senders) s.drain();
    await waitUntil(
      () => senders.every((s) => s.pending.size === 0),
      (wake) => (settled = wake),
      20_000,
    );
    for (const s of senders) s.close();
    const log = await readLog(server.port);
    for (let i = 1; i < log.seqs.length; i++)
      if (log.seqs[i]! <= log.seqs[i - 1]!)
        problems.push(`the log has seq ${log.seqs[i]} after ${log.seqs[i - 1]}`);
    for (const s of senders) {
      problems.push(...s.violations);
      for (const [id, seq] of s.acked) {
        const inLog = log.byId.get(id) ?? [];
        if (inLog.length !== 1 || inLog[0] !== seq)
          problems.push(`${id}: acknowledged as seq ${seq}, in the log as [${inLog.join(', ')}]`);
      }
      // What every client saw live is what the log says for that seq.
      for (const [seq, identity] of s.seen) {
        const logged = log.seen.get(seq);
        if (logged !== undefined && logged !== identity)
          problems.push(`seq ${seq}: ${s.name} saw ${identity}, the log has ${logged}`);
      }
    }
    for (const [id, seqs] of log.byId)
      if (seqs.length > 1) problems.push(`${id} is in the log ${seqs.length} times`);
    return {
      kills: options.kills,
      acked: senders.reduce((n, s) => n + s.acked.size, 0),
      sent: senders.reduce((n, s) => n + s.acked.size + s.pending.size, 0),
      problems,
    };
  } finally {
    for (const s of senders) s.close();
    await killHard(server.child);
  }
}

/** Waits until `done()`, checking each time `subscribe`'s callback is called. */
function waitUntil(
  done: () => boolean,
  subscribe: (wake: () => void) => void,
  timeoutMs: number,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error('timed out waiting for the last acknowledgements')),
      timeoutMs,
    );
    const check = (): void => {
      if (!done()) return;
      clearTimeout(timer);
      resolve();
    };
    subscribe(check);
    check();
  });
}
