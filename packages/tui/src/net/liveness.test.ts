import { describe, expect, it } from 'vitest';
import type { Liveness } from './liveness.js';
import { heard, LIVENESS_DEFAULTS, livenessStep } from './liveness.js';

const options = LIVENESS_DEFAULTS;

/** Steps the clock from `from` to `to` every second, as the connection's tick does. */
function run(state: Liveness, from: number, to: number) {
  const steps = [];
  for (let now = from; now <= to; now += 1_000) {
    const step = livenessStep(state, now, options);
    state = step.state;
    steps.push({ now, ...step });
  }
  return steps;
}

describe('liveness', () => {
  it('pings once after a quiet spell, and reports nothing while the pong is on time', () => {
    const steps = run(heard(0), 0, options.pingAfterMs + 1_000);
    expect(steps.filter((s) => s.ping).map((s) => s.now)).toEqual([options.pingAfterMs]);
    expect(steps.every((s) => s.lagMs === undefined && !s.drop)).toBe(true);
  });

  it('shows lag once the pong is late, growing until it drops the socket', () => {
    const steps = run(heard(0), 0, options.dropAfterMs);
    const sent = options.pingAfterMs;
    const lagged = steps.filter((s) => s.lagMs !== undefined);
    expect(lagged[0]!.now).toBe(sent + options.lagAfterMs);
    expect(lagged[0]!.lagMs).toBe(options.lagAfterMs);
    expect(steps.find((s) => s.now === sent + 12_000)?.lagMs).toBe(12_000);
    expect(steps.filter((s) => s.drop).map((s) => s.now)).toEqual([options.dropAfterMs]);
    // One ping per quiet spell, not one a second.
    expect(steps.filter((s) => s.ping)).toHaveLength(1);
  });

  it('forgets the lag when the server is heard from', () => {
    const late = run(heard(0), 0, options.pingAfterMs + 5_000).at(-1)!;
    expect(late.lagMs).toBe(5_000);
    const after = livenessStep(heard(late.now), late.now + 1_000, options);
    expect(after.lagMs).toBeUndefined();
  });
});
