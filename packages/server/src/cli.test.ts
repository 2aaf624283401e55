import { spawn } from 'node:child_process';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClient } from './testing/client.js';
import { ensureSelfSigned } from './tls/credentials.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
/** The CLI's default data directory goes here ($XDG_STATE_HOME), never into the real home. */
let stateHome: string;
beforeAll(async () => {
  stateHome = await mkdtemp(join(tmpdir(), 'ciao-cli-'));
});
afterAll(async () => {
  await rm(stateHome, { recursive: true, force: true });
});

/** While the CLI runs: send it a signal, wait until its stdout matches. */
interface Control {
  signal(signal: NodeJS.Signals): void;
  waitStdout(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
}

interface Run {
  stdout: string;
  stderr: string;
  code: number | null;
}

/**
 * Runs the CLI from source (tsx; `pnpm server` runs the same code compiled); `during` runs once
 * it is listening.
 */
function runCli(
  args: string[],
  during?: (port: number, control: Control) => Promise<void>,
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--conditions=@ciao/source', '--import', 'tsx', 'src/cli.ts', ...args],
      {
        cwd: packageDir,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, XDG_STATE_HOME: stateHome },
      },
    );
    const control: Control = {
      signal: (signal) => child.kill(signal),
      waitStdout: (pattern, timeoutMs = 10_000) =>
        new Promise((found, fail) => {
          const check = (): void => {
            const m = pattern.exec(stdout);
            if (!m) return;
            clearTimeout(timer);
            child.stdout.off('data', check);
            found(m);
          };
          const timer = setTimeout(() => {
            child.stdout.off('data', check);
            fail(new Error(`stdout never matched ${pattern}; got:\n${stdout}`));
          }, timeoutMs);
          child.stdout.on('data', check);
          check();
        }),
    };
    let stdout = '';
    let stderr = '';
    let started = false;
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      const m = /listening on [^\s]+:(\d+)/.exec(stdout);
      if (m && during && !started) {
        started = true;
        during(Number(m[1]), control).then(
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

describe('pnpm server (cli)', () => {
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
    expect(r.stderr.trim()).toBe('error: unknown flag --colour (see --help)');
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
      /^ciao server listening on 127\.0\.0\.1:\d+\n {2}connect: pnpm tui --host 127\.0\.0\.1 --port \d+ {3}or {3}nc 127\.0\.0\.1 \d+\n {2}tls: .*tls-cert\.pem\n {2}tls: SHA-256 fingerprint ([0-9A-F]{2}:){31}[0-9A-F]{2}\n {2}history: kept in (.+) \(the newest 100000 events\), epoch [\w-]+, last seq \d+\n$/,
    );
    expect(r.stdout).toContain(`kept in ${join(stateHome, 'ciao')} (`);
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

  it('creates a self-signed certificate on first start, prints its fingerprint, and serves it', async () => {
    const dataDir = join(stateHome, 'first-start');
    const runs: Run[] = [];
    const seen: string[] = [];
    for (let i = 0; i < 2; i++)
      runs.push(
        await runCli(
          ['--host', '127.0.0.1', '--port', '0', '--log-level', 'silent', '--data', dataDir],
          async (port, control) => {
            const [, printed] = await control.waitStdout(/SHA-256 fingerprint (\S+)\n/);
            const c = await TestClient.connectTls(port);
            seen.push((c.socket as TLSSocket).getPeerCertificate().fingerprint256);
            expect(seen.at(-1)).toBe(printed);
            c.close();
          },
        ),
      );
    expect(runs.map((r) => r.code)).toEqual([0, 0]);
    expect(runs[0]!.stdout).toContain(
      `tls: created a self-signed certificate, ${join(dataDir, 'tls-cert.pem')}`,
    );
    expect(runs[1]!.stdout).not.toContain('created');
    expect(seen[1]).toBe(seen[0]);
  });

  it('re-reads --tls-cert and --tls-key on SIGHUP: new sessions get the new certificate', async () => {
    const dir = join(stateHome, 'sighup');
    const first = (await ensureSelfSigned(join(dir, 'a'))).files;
    const second = (await ensureSelfSigned(join(dir, 'b'))).files;
    const live = { certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem') };
    await copyFile(first.certFile, live.certFile);
    await copyFile(first.keyFile, live.keyFile);
    const fingerprints: string[] = [];
    const peer = async (port: number): Promise<string> => {
      const c = await TestClient.connectTls(port);
      const f = (c.socket as TLSSocket).getPeerCertificate().fingerprint256;
      c.close();
      return f;
    };
    const r = await runCli(
      ['--host', '127.0.0.1', '--port', '0', '--log-level', 'silent'].concat([
        '--tls-cert',
        live.certFile,
        '--tls-key',
        live.keyFile,
      ]),
      async (port, control) => {
        fingerprints.push(await peer(port));
        await copyFile(second.keyFile, live.keyFile);
        await copyFile(second.certFile, live.certFile);
        control.signal('SIGHUP');
        const [, reloaded] = await control.waitStdout(/tls: reloaded, SHA-256 fingerprint (\S+)/);
        fingerprints.push(reloaded!, await peer(port));
      },
    );
    expect(r.code).toBe(0);
    expect(fingerprints[0]).not.toBe(fingerprints[1]);
    expect(fingerprints[2]).toBe(fingerprints[1]);
    expect(r.stdout).toContain(`tls: ${live.certFile}`);
  });

  it('refuses --tls-cert without --tls-key', async () => {
    const r = await runCli(['--tls-cert', 'x.pem']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'error: --tls-cert and --tls-key go together: give both files, or neither\n',
    );
  });

  it('exits 1 with one line when the certificate cannot be used', async () => {
    const missing = join(stateHome, 'missing.pem');
    const r = await runCli(['--port', '0', '--tls-cert', missing, '--tls-key', missing]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`error: cannot read certificate ${missing}: no such file\n`);
  });
});
