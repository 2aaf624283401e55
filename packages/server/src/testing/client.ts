import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import type { ServerConfig } from '../config.js';
import { defaultConfig } from '../config.js';
import type { RunningServer } from '../server.js';
import { startServer } from '../server.js';
import { createLogger } from '../log.js';

/** A frame as received: any JSON object (tests check fields loosely). */
export type Frame = { type: string; [field: string]: unknown };

const DEFAULT_WAIT_MS = 3_000;

/** Starts a server on 127.0.0.1, an ephemeral port, no logging, with `overrides`. */
export function testServer(overrides: Partial<ServerConfig> = {}): Promise<RunningServer> {
  const config = defaultConfig({ host: '127.0.0.1', port: 0, logLevel: 'silent', ...overrides });
  return startServer(config, createLogger(config.logLevel, config.logFormat));
}

/**
 * A raw line-oriented client for tests: records every line received and lets a test wait for
 * the next one matching a predicate, with a timeout (never a sleep).
 */
export class TestClient {
  readonly lines: string[] = [];
  /** Index of the next line `next*` looks at. */
  cursor = 0;
  closed = false;
  readonly socket: Socket;
  #partial = '';
  #waiters: (() => void)[] = [];

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      const parts = (this.#partial + chunk).split('\n');
      this.#partial = parts.pop() ?? '';
      for (const p of parts) this.lines.push(p);
      this.#wake();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      this.#wake();
    });
  }

  static connect(port: number): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host: '127.0.0.1' });
      socket.once('connect', () => resolve(new TestClient(socket)));
      socket.once('error', reject);
    });
  }

  /** Connects over TLS (any certificate: tests check the fingerprint themselves). */
  static connectTls(port: number): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const socket = connectTls({ port, host: '127.0.0.1', rejectUnauthorized: false });
      socket.once('secureConnect', () => resolve(new TestClient(socket)));
      socket.once('error', reject);
    });
  }

  /** Connects and registers as `name` with a JSON `hello`; resolves with the welcome. */
  static async join(
    port: number,
    name: string,
    extra: Record<string, unknown> = {},
  ): Promise<{ client: TestClient; welcome: Frame }> {
    const client = await TestClient.connect(port);
    client.send({ type: 'hello', protocol: 1, name, ...extra });
    const welcome = await client.next('welcome');
    await client.next('history_end');
    return { client, welcome };
  }

  send(frame: Record<string, unknown>): void {
    this.socket.write(JSON.stringify(frame) + '\n');
  }

  write(data: string | Uint8Array): void {
    this.socket.write(data);
  }

  /** Frames (parsed JSON lines) received so far; non-JSON lines are skipped. */
  get frames(): Frame[] {
    return this.lines.flatMap((l) => {
      try {
        const v: unknown = JSON.parse(l);
        return typeof v === 'object' && v !== null ? [v as Frame] : [];
      } catch {
        return [];
      }
    });
  }

  /** Waits for the next line (from the cursor) matching `match`, and moves past it. */
  async nextLine(
    match: (line: string) => boolean = () => true,
    timeoutMs = DEFAULT_WAIT_MS,
  ): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (; this.cursor < this.lines.length;) {
        const line = this.lines[this.cursor++]!;
        if (match(line)) return line;
      }
      if (this.closed) throw new Error(`connection closed while waiting; got:\n${this.tail()}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for a line; got:\n${this.tail()}`);
      await this.#wait(left);
    }
  }

  /** Waits for the next frame of `type` (and matching `match`), and moves past it. */
  async next(
    type: string,
    match: (frame: Frame) => boolean = () => true,
    timeoutMs = DEFAULT_WAIT_MS,
  ): Promise<Frame> {
    const line = await this.nextLine((l) => {
      const f = parse(l);
      return f !== undefined && f.type === type && match(f);
    }, timeoutMs);
    return parse(line)!;
  }

  /** The frames from the cursor on, without waiting. */
  rest(): Frame[] {
    return this.lines.slice(this.cursor).flatMap((l) => {
      const f = parse(l);
      return f ? [f] : [];
    });
  }

  /** Waits until `check` holds for everything received so far (checked on each arrival). */
  async until(check: (frames: Frame[]) => boolean, timeoutMs = DEFAULT_WAIT_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check(this.frames)) {
      const left = deadline - Date.now();
      if (left <= 0 || this.closed)
        throw new Error(
          `${this.closed ? 'closed' : 'timed out'} while waiting; got:\n${this.tail()}`,
        );
      await this.#wait(left);
    }
  }

  /** Resolves when the server closed the connection. */
  async waitClosed(timeoutMs = DEFAULT_WAIT_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('timed out waiting for the connection to close');
      await this.#wait(left);
    }
  }

  /** A round trip: everything the server sent before its `pong` has been received. */
  async sync(): Promise<void> {
    const nonce = `sync-${Math.random()}`;
    this.send({ type: 'ping', nonce });
    await this.next('pong', (f) => f['nonce'] === nonce);
  }

  close(): void {
    this.socket.destroy();
  }

  tail(): string {
    return this.lines.slice(-10).join('\n');
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  #wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.#waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

function parse(line: string): Frame | undefined {
  try {
    const v: unknown = JSON.parse(line);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Frame) : undefined;
  } catch {
    return undefined;
  }
}
