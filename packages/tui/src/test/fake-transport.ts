import type { ClientFrame, ServerFrame } from '@ciao/protocol';
import { ChatController } from '../chat-controller.js';
import type { ControllerOptions } from '../chat-controller.js';
import type { Transport, TransportHandlers } from '../net/connection.js';
import type { ConnStatus } from '../state/chat-reducer.js';
import { welcome } from './frames.js';

/** A connection with no socket: records what the client sends, lets a test play the server. */
export class FakeTransport implements Transport {
  readonly sent: ClientFrame[] = [];
  open = false;
  started = false;
  stopped = false;

  constructor(readonly handlers: TransportHandlers) {}

  start(): void {
    this.started = true;
  }
  send(frame: ClientFrame): boolean {
    if (!this.open) return false;
    this.sent.push(frame);
    return true;
  }
  held = false;
  reconnects = 0;
  markRegistered(): void {}
  hold(): void {
    this.held = true;
  }
  reconnectNow(): void {
    this.held = false;
    this.reconnects++;
  }
  stop(reason: string): Promise<void> {
    this.stopped = true;
    this.open = false;
    this.handlers.onStatus({ state: 'stopped', reason });
    return Promise.resolve();
  }

  /** The socket opened: the client sends hello. */
  connect(): void {
    this.open = true;
    this.handlers.onStatus({ state: 'connecting', attempt: 0 });
    this.handlers.onOpen();
  }
  /** The server speaks. */
  receive(...frames: ServerFrame[]): void {
    for (const frame of frames) this.handlers.onFrame(frame);
  }
  /** The socket dropped. */
  drop(
    status: ConnStatus = {
      state: 'offline',
      reason: 'connection reset',
      attempt: 1,
      retryInMs: 500,
    },
  ): void {
    this.open = false;
    this.handlers.onStatus(status);
  }
  /** Frames sent of one type. */
  sentOf<T extends ClientFrame['type']>(type: T): Extract<ClientFrame, { type: T }>[] {
    return this.sent.filter((f): f is Extract<ClientFrame, { type: T }> => f.type === type);
  }
}

/** A controller on a fake transport, ids x-1, x-2, ..., frames applied at once. */
export function fakeSession(options: Partial<ControllerOptions> = {}): {
  controller: ChatController;
  transport: FakeTransport;
} {
  let transport: FakeTransport | undefined;
  let n = 0;
  const controller = new ChatController({
    name: 'ann',
    address: 'chat.example:7777',
    flushMs: 0,
    newId: () => `x-${++n}`,
    makeTransport: (handlers) => (transport = new FakeTransport(handlers)),
    ...options,
  });
  return { controller, transport: transport! };
}

/** Connects and completes registration (welcome + empty replay). */
export function online(transport: FakeTransport, over: Parameters<typeof welcome>[0] = {}): void {
  transport.connect();
  transport.receive(welcome(over), { type: 'history_end', more: false });
}
