import net from 'node:net';
import type { ServerFrame } from '@ciao/protocol';
import {
  encodeFrameString,
  FrameDecoder,
  LIMITS,
  PROTOCOL_VERSION,
  validateServerFrame,
} from '@ciao/protocol';

/** A bare JSON client: sends frames, records every valid server frame. */
export class RawClient {
  readonly frames: ServerFrame[] = [];
  private readonly socket: net.Socket;

  constructor(port: number, name: string) {
    const decoder = new FrameDecoder(LIMITS.maxServerFrameBytes);
    this.socket = net.connect({ host: '127.0.0.1', port });
    this.socket.on('data', (chunk: Buffer) => {
      for (const decoded of decoder.push(chunk)) {
        if (!decoded.ok) continue;
        const checked = validateServerFrame(decoded.frame);
        if (checked.ok) this.frames.push(checked.frame);
      }
    });
    this.send({ type: 'hello', protocol: PROTOCOL_VERSION, name });
  }

  send(frame: Parameters<typeof encodeFrameString>[0]): void {
    this.socket.write(encodeFrameString(frame));
  }

  texts(): string[] {
    return this.frames.flatMap((f) => (f.type === 'message' ? [`${f.from}: ${f.text}`] : []));
  }

  close(): void {
    this.socket.destroy();
  }
}
