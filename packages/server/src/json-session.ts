import { FrameDecoder, validateClientFrame } from '@ciao/protocol';
import type { Session } from './session.js';

/** Input of a JSON session: newline-delimited JSON frames, decoded and validated. */
export class JsonInput {
  readonly #decoder = new FrameDecoder();

  constructor(private readonly session: Session) {}

  push(chunk: Buffer): void {
    const session = this.session;
    for (const decoded of this.#decoder.push(chunk)) {
      // After a fatal error or `bye`, the rest of the chunk is not read.
      if (!session.open) return;
      if (!decoded.ok) {
        session.error(decoded.error.code, decoded.error.message, decoded.error.id);
        continue;
      }
      const valid = validateClientFrame(decoded.frame);
      if (valid.ok) session.handle(valid.frame);
      else session.error(valid.error.code, valid.error.message, valid.error.id);
    }
  }

  /** End of input: a partial frame without its newline is dropped (it was never complete). */
  end(): void {}

  dispose(): void {}
}
