import fc from 'fast-check';
import type { ChatEvent, ClientFrame, ServerFrame } from './frames.js';
import { ERROR_CODES, LEAVE_REASONS } from './frames.js';

/** fast-check generators of valid frames, for property tests. */

const text = fc.string({ unit: 'binary', minLength: 1, maxLength: 60 });
const name = fc.stringMatching(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,23}$/);
const seq = fc.nat({ max: 2 ** 40 });
const id = fc.string({ maxLength: 64 });
const nonce = fc.oneof(fc.string(), fc.integer());

/** Drops undefined fields, as `compact` does in validation. */
function defined<T extends object>(frame: T): T {
  return Object.fromEntries(Object.entries(frame).filter(([, v]) => v !== undefined)) as T;
}
const opt = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> =>
  fc.option(arb, { nil: undefined });

export const clientFrame: fc.Arbitrary<ClientFrame> = fc.oneof(
  fc
    .record({
      type: fc.constant('hello' as const),
      protocol: fc.constant(1),
      name,
      password: opt(fc.string()),
      token: opt(fc.string()),
      since: opt(seq),
      epoch: opt(fc.string()),
    })
    .map(defined),
  fc
    .record({
      type: fc.constant('say' as const),
      text,
      id: opt(id),
      action: opt(fc.constant(true as const)),
    })
    .map(defined),
  fc.record({ type: fc.constant('dm' as const), to: name, text, id: opt(id) }).map(defined),
  fc.record({ type: fc.constant('nick' as const), name }),
  fc.record({ type: fc.constant('who' as const), offset: opt(seq) }).map(defined),
  fc
    .record({
      type: fc.constant('history' as const),
      before: seq,
      limit: opt(fc.integer({ min: 1, max: 500 })),
    })
    .map(defined),
  fc
    .record({ type: fc.constantFrom('ping' as const, 'pong' as const), nonce: opt(nonce) })
    .map(defined),
  fc.record({ type: fc.constant('bye' as const), reason: opt(fc.string()) }).map(defined),
);

const eventBase = { seq, ts: seq, replay: opt(fc.constant(true as const)) };
export const chatEvent: fc.Arbitrary<ChatEvent> = fc.oneof(
  fc
    .record({
      type: fc.constant('message' as const),
      ...eventBase,
      from: name,
      text,
      id: opt(id),
      action: opt(fc.constant(true as const)),
    })
    .map(defined),
  fc
    .record({
      type: fc.constant('dm' as const),
      ...eventBase,
      from: name,
      to: name,
      text,
      id: opt(id),
    })
    .map(defined),
  fc.record({ type: fc.constant('join' as const), ...eventBase, name }).map(defined),
  fc
    .record({
      type: fc.constant('leave' as const),
      ...eventBase,
      name,
      reason: fc.constantFrom(...LEAVE_REASONS),
    })
    .map(defined),
  fc
    .record({ type: fc.constant('nick' as const), ...eventBase, from: name, to: name })
    .map(defined),
);

export const serverFrame: fc.Arbitrary<ServerFrame> = fc.oneof(
  chatEvent,
  fc
    .record({
      type: fc.constant('welcome' as const),
      protocol: fc.constant(1),
      server: fc.constant('ciao/0.1.0'),
      name,
      token: fc.string({ minLength: 1 }),
      users: fc.array(name, { maxLength: 5 }),
      userCount: opt(seq),
      seq,
      epoch: opt(fc.string({ minLength: 1 })),
      limits: fc.record({
        maxText: fc.constant(4096),
        maxFrame: fc.constant(65536),
        ratePerSec: fc.integer({ min: 1, max: 1000 }),
        rateBurst: fc.integer({ min: 1, max: 1000 }),
      }),
      motd: opt(fc.string()),
    })
    .map(defined),
  fc
    .record({ type: fc.constant('history_end' as const), more: fc.boolean(), before: opt(seq) })
    .map(defined),
  fc
    .record({
      type: fc.constant('users' as const),
      names: fc.array(name, { maxLength: 5 }),
      offset: opt(seq),
      total: opt(seq),
    })
    .map(defined),
  fc.record({
    type: fc.constant('joins' as const),
    seq,
    ts: seq,
    names: fc.array(name, { minLength: 1, maxLength: 5 }),
  }),
  fc.record({ type: fc.constant('notice' as const), text }),
  fc
    .record({
      type: fc.constant('error' as const),
      code: fc.constantFrom(...ERROR_CODES),
      message: fc.string(),
      id: opt(id),
      fatal: opt(fc.constant(true as const)),
    })
    .map(defined),
  fc
    .record({ type: fc.constantFrom('ping' as const, 'pong' as const), nonce: opt(nonce) })
    .map(defined),
);
