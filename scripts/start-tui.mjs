// `pnpm tui`: the client as one bundled file (bundle-tui.mjs), rebuilt first when its sources
// changed (see compiled.mjs). It runs in this process: no second Node beside pnpm.
import path from 'node:path';
import { buildIfStale, packageDir } from './compiled.mjs';

const bundle = path.join(packageDir('tui'), 'dist', 'ciao.mjs');
await buildIfStale({
  target: 'tui',
  sources: ['protocol', 'tui'],
  builtFile: bundle,
  what: 'client',
  afterBuild: async () => (await import('./bundle-tui.mjs')).bundleTui(),
});
await import(bundle);
