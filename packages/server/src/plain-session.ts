import type { ClientFrame } from '@ciao/protocol';
import { COMMAND_HELP, LIMITS, LineDecoder, PROTOCOL_VERSION, parseCommand } from '@ciao/protocol';
import type { ServerConfig } from './config.js';
import type { Session } from './session.js';
import { quote } from './room.js';

const IAC = 255;
const CR = 13;
const LF = 10;
const NUL = 0;
const SB = 250;
const SE = 240;
const WILL = 251;
const DONT = 254;

/** Where a telnet command sequence stands across chunks. */
const enum Telnet {
  Data,
  Iac,
  Option,
  Sub,
  SubIac,
}

/**
 * Input of a plain-text session (netcat, telnet, the original socket-chat clients): telnet IAC
 * sequences are dropped, lines end with `\n` or `\r\n`, and a partial line counts as a line
 * after a short silence. The first line is the name (then the password, if the server has
 * one); after that each line is a message or a `/command`, turned into the same client frames
 * a JSON session sends.
 */
export class PlainInput {
  readonly #decoder = new LineDecoder(LIMITS.maxClientFrameBytes);
  #telnet = Telnet.Data;
  /** The last data byte was a CR (telnet ends a line with CR NUL, CR LF or a bare LF). */
  #afterCr = false;
  #stage: 'name' | 'password' | 'chat' | 'answer' = 'name';
  /** Lines typed while the room answers the hello (a shared room answers after a round trip). */
  #early: string[] = [];
  #name = '';
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly session: Session,
    private readonly config: Pick<ServerConfig, 'password' | 'plainLineFlushMs'>,
  ) {}

  push(chunk: Buffer): void {
    const data = this.#stripTelnet(chunk);
    for (const line of this.#decoder.push(data)) {
      if (!this.session.open) return;
      if (line.kind === 'too_large') {
        this.session.error(
          'frame_too_large',
          `a line may be at most ${LIMITS.maxClientFrameBytes} bytes; that one was skipped`,
        );
      } else this.#line(line.text);
    }
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer =
      this.#decoder.pendingBytes > 0 && this.session.open
        ? setTimeout(onPartialTimer, this.config.plainLineFlushMs, this)
        : undefined;
  }

  /** A partial line left when the peer stops sending counts as a line. */
  flushPartial(): void {
    this.#timer = undefined;
    const text = this.#decoder.takePartial();
    if (text !== undefined && this.session.open) this.session.guard(() => this.#line(text));
  }

  end(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.flushPartial();
  }

  dispose(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #line(raw: string): void {
    const session = this.session;
    // What telnet leaves at a line's end (CR, NUL) is not part of it.
    const line = raw.replace(/[\r\0]+$/, '');
    if (this.#stage === 'answer') {
      this.#early.push(line);
      return;
    }
    if (this.#stage === 'chat') {
      this.#command(line);
      return;
    }
    // Spaces around a typed name are not part of it.
    const text = line.trim();
    if (text === '') return;
    if (this.#stage === 'name' && this.config.password !== undefined) {
      this.#name = text;
      this.#stage = 'password';
      session.sendLine('-- password:');
      return;
    }
    const name = this.#stage === 'password' ? this.#name : text;
    session.handle({
      type: 'hello',
      protocol: PROTOCOL_VERSION,
      name,
      ...(this.#stage === 'password' ? { password: text } : {}),
    });
    if (session.answering) this.#stage = 'answer';
    else this.#answered();
  }

  /** The hello was answered (at once, or later: see {@link Session.answering}). */
  helloAnswered(): void {
    if (this.#stage !== 'answer') return;
    this.#answered();
    const early = this.#early;
    this.#early = [];
    for (const line of early) if (this.session.open) this.#line(line);
  }

  #answered(): void {
    const session = this.session;
    if (session.registered) this.#stage = 'chat';
    else if (session.open) {
      this.#stage = 'name';
      session.sendLine('-- try another name:');
    }
  }

  #command(line: string): void {
    const session = this.session;
    const cmd = parseCommand(line);
    let frame: ClientFrame | undefined;
    switch (cmd.kind) {
      case 'say':
        frame = { type: 'say', text: cmd.text };
        break;
      case 'action':
        frame = { type: 'say', text: cmd.text, action: true };
        break;
      case 'dm':
        frame = { type: 'dm', to: cmd.to, text: cmd.text };
        break;
      case 'nick':
        frame = { type: 'nick', name: cmd.name };
        break;
      case 'who':
        frame = cmd.offset === undefined ? { type: 'who' } : { type: 'who', offset: cmd.offset };
        break;
      case 'quit':
        frame = { type: 'bye' };
        break;
      case 'help':
        session.send({ type: 'notice', text: COMMAND_HELP.join('\n') });
        return;
      case 'usage':
        session.send({ type: 'notice', text: `usage: ${cmd.usage}` });
        return;
      case 'unknown':
        session.send({ type: 'notice', text: `unknown command ${quote(cmd.command)}: type /help` });
        return;
      case 'clear':
      case 'empty':
        return;
      default: {
        const never: never = cmd;
        return never;
      }
    }
    session.handle(frame);
  }

  /**
   * Drops telnet negotiation (IAC commands, option requests, subnegotiations) and turns the
   * NUL of a telnet CR NUL line end into LF, so `{quit}` ends a line however telnet sends it.
   */
  #stripTelnet(chunk: Buffer): Buffer {
    if (
      this.#telnet === Telnet.Data &&
      !this.#afterCr &&
      !chunk.includes(IAC) &&
      !chunk.includes(CR)
    )
      return chunk;
    const out = Buffer.allocUnsafe(chunk.length);
    let n = 0;
    for (const byte of chunk) {
      switch (this.#telnet) {
        case Telnet.Data:
          if (byte === IAC) this.#telnet = Telnet.Iac;
          else {
            out[n++] = this.#afterCr && byte === NUL ? LF : byte;
            this.#afterCr = byte === CR;
          }
          break;
        case Telnet.Iac:
          if (byte >= WILL && byte <= DONT) this.#telnet = Telnet.Option;
          else if (byte === SB) this.#telnet = Telnet.Sub;
          else this.#telnet = Telnet.Data; // IAC IAC (a 0xFF data byte, never UTF-8) and commands
          break;
        case Telnet.Option:
          this.#telnet = Telnet.Data;
          break;
        case Telnet.Sub:
          if (byte === IAC) this.#telnet = Telnet.SubIac;
          break;
        case Telnet.SubIac:
          this.#telnet = byte === SE ? Telnet.Data : Telnet.Sub;
          break;
      }
    }
    return out.subarray(0, n);
  }
}

function onPartialTimer(input: PlainInput): void {
  input.flushPartial();
}
