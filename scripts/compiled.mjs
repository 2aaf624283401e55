// `pnpm server` and `pnpm tui` run compiled JavaScript: running the TypeScript through tsx cost
// ~0.4 s of loader and ~100 MB more per process. `pnpm install` builds everything (the root
// `prepare` script); when a package's sources are newer than what was built from them, this
// rebuilds first (`tsc -b`, incremental, and the client's bundle), so what runs is never stale.
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
export const packageDir = (name) => path.join(root, 'packages', name);

function newest(dir, pattern) {
  let found = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) found = Math.max(found, newest(file, pattern));
    else if (pattern.test(entry.name)) found = Math.max(found, statSync(file).mtimeMs);
  }
  return found;
}

const newestSource = (dir) => newest(dir, /\.tsx?$/);

/**
 * The newest JavaScript tsc emitted in a package (a changed source always re-emits its file).
 * Not the .tsbuildinfo: `tsc --noEmit` rewrites that without emitting anything.
 */
export const newestBuilt = (name) => newest(path.join(packageDir(name), 'dist'), /\.js$/);

function mtime(file) {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

/**
 * Rebuilds `target` (a package name) when any source of it or of `sources` is newer than
 * `builtFile` (or, without one, than the JavaScript emitted from that package); `afterBuild`
 * runs after tsc (the client's bundler).
 */
export async function buildIfStale({ target, sources, builtFile, what, afterBuild }) {
  const newestSrc = Math.max(
    ...sources.map((name) => newestSource(path.join(packageDir(name), 'src'))),
  );
  // Without a built file: each package against what tsc emitted from it.
  const stale =
    builtFile === undefined
      ? sources.some((name) => newestSource(path.join(packageDir(name), 'src')) > newestBuilt(name))
      : newestSrc > mtime(builtFile);
  if (!stale) return;
  process.stderr.write(`ciao: building the ${what} (its sources changed since the last build)…\n`);
  try {
    const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    execFileSync(process.execPath, [tsc, '-b', packageDir(target)], { stdio: 'inherit' });
    if (afterBuild) await afterBuild();
  } catch {
    process.stderr.write('ciao: the build failed (see above); `pnpm typecheck` shows the errors\n');
    process.exit(1);
  }
}
