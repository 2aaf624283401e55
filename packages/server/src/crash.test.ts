import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { crashRun } from './testing/crash-harness.js';

let dataDir: string | undefined;
afterEach(() => {
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('crash safety', () => {
  it('loses nothing acknowledged, doubles nothing and never reuses a seq across SIGKILLs under load', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'ciao-crash-'));
    // A new seed each run covers more moments; a failure names its seed to replay it.
    const seed = Number(process.env['CIAO_CRASH_SEED'] ?? Date.now() % 1_000_000);
    const run = await crashRun({
      dataDir,
      senders: 6,
      window: 8,
      kills: 4,
      maxAcksBetween: 300,
      seed,
    });
    expect(run.problems, `seed ${seed}`).toEqual([]);
    expect(run.acked).toBe(run.sent);
    expect(run.acked).toBeGreaterThan(4 * 6);
  }, 90_000);
});
