import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TestClient } from './testing/client.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

interface Run {
  stdout: string;
  stderr: string;
  code: number | null;
}

/** Runs the CLI as `pnpm start` does (tsx from source); `during` runs once it is listening. */
function runCli(args: string[], during?: (port: number) => Promise<void>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--conditions=@ciao/source', '--import', 'tsx', 'src/cli.ts', ...args],
      { cwd: packageDir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    let started = false;
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      const m = /listening on [^\s]+:(\d+)/.exec(stdout);
      if (m && during && !started) {
        started = true;
        during(Number(m[1])).then(
          () => child.kill('SIGTERM'),
          (err: unknown) => {
            child.kill('SIGKILL');
            reject(err instanceof Error ? err : new Error(String(err)));
          },
        );
      }
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code });
    });
  });
}

describe('pnpm start (cli)', () => {
  it('refuses a bad flag value with a clear message and exit code 2', async () => {
    const r = await runCli(['--port', 'seventy']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      'error: --port must be a whole number from 0 to 65535 (got "seventy")',
    );
  });

  it('refuses an unknown flag with exit code 2', async () => {
    const r = await runCli(['--colour', 'blue']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown flag/i);
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
  });

  it('says in one line that a port is in use, and exits 1', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const r = await runCli([
        '--host',
        '127.0.0.1',
        '--port',
        String(port),
        '--log-level',
        'silent',
      ]);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`error: port ${port} is already in use (try --port N)\n`);
    } finally {
      blocker.close();
    }
  });

  it('prints where it listens, logs JSON lines without message text, and shuts down on SIGTERM with exit 0', async () => {
    let bobDone: Promise<void> | undefined;
    const r = await runCli(
      ['--host', '127.0.0.1', '--port', '0', '--log-format', 'json', '--motd', 'hello'],
      async (port) => {
        const { client: a } = await TestClient.join(port, 'alice');
        a.send({ type: 'say', text: 'top secret words' });
        await a.next('message');
        a.send({ type: 'bye' });
        await a.waitClosed();
        const { client: b } = await TestClient.join(port, 'bob');
        // SIGTERM follows: bob must see the notice, then the fatal shutdown error, then the close.
        bobDone = (async () => {
          await b.next('notice', (f) => /shutting down/.test(String(f['text'])), 10_000);
          await b.next('error', (f) => f['code'] === 'shutdown' && f['fatal'] === true, 10_000);
          await b.waitClosed(10_000);
        })();
      },
    );
    await bobDone;
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^ciao server listening on 127\.0\.0\.1:\d+\n {2}connect: pnpm tui --host 127\.0\.0\.1 --port \d+ {3}or {3}nc 127\.0\.0\.1 \d+\n$/,
    );
    const records = r.stderr
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { msg: string; level: string; [k: string]: unknown });
    const msgs = records.map((x) => x.msg);
    for (const m of ['listening', 'connect', 'register', 'leave', 'shutdown', 'stopped'])
      expect(msgs).toContain(m);
    expect(records.find((x) => x.msg === 'leave')).toMatchObject({ name: 'alice', reason: 'quit' });
    expect(r.stderr).not.toContain('top secret');
  });
});
