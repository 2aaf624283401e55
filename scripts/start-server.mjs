// Starts the server from its compiled JavaScript. pnpm itself takes ~0.8 s to start here and
// tsx's loader another ~0.4 s, so running the TypeScript directly put `pnpm start` at ~1.5 s to
// "listening"; the compiled server listens ~0.25 s after node starts. `pnpm install` builds it
// (the root `prepare` script); when a package's sources are newer than its last build, this
// rebuilds first (`tsc -b`, incremental), so what runs is never stale.
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const packages = ['protocol', 'server'].map((name) => path.join(root, 'packages', name));

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(file));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(file).mtimeMs);
  }
  return newest;
}

function builtAt(dir) {
  try {
    return statSync(path.join(dir, 'tsconfig.tsbuildinfo')).mtimeMs;
  } catch {
    return 0;
  }
}

if (packages.some((dir) => newestSource(path.join(dir, 'src')) > builtAt(dir))) {
  process.stderr.write('ciao: building the server (its sources changed since the last build)…\n');
  try {
    const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    execFileSync(process.execPath, [tsc, '-b', packages[1]], { stdio: 'inherit' });
  } catch {
    process.stderr.write('ciao: the build failed (see above); `pnpm typecheck` shows the errors\n');
    process.exit(1);
  }
}

await import(path.join(packages[1], 'dist', 'cli.js'));
