// `pnpm server`: the compiled server, rebuilt first when its sources changed (see compiled.mjs).
import path from 'node:path';
import { buildIfStale, packageDir } from './compiled.mjs';

await buildIfStale({
  target: 'server',
  sources: ['protocol', 'server'],
  what: 'server',
});
await import(path.join(packageDir('server'), 'dist', 'cli.js'));
