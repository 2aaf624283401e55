// Bundles the compiled client (packages/tui/dist/cli.js, from `tsc -b`) into one ES module,
// packages/tui/dist/ciao.mjs. Node spends most of an unbundled start resolving and parsing ~300
// small modules (and lexing the CommonJS ones that ESM imports); one file starts in about a
// third of the time and memory. React and Ink are bundled in their production builds.
import { build } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const tui = path.join(root, 'packages', 'tui');

/**
 * Ink loads its devtools bridge (react-devtools-core, and ws for its window polyfill) only when
 * DEV=true. react-devtools-core is not installed, and ws would cost start-up parsing for
 * nothing: both are replaced by stubs.
 */
const noDevtools = {
  name: 'no-devtools',
  setup(b) {
    b.onResolve({ filter: /^(react-devtools-core|ws)$/ }, (args) => ({
      path: args.path,
      namespace: 'stub',
    }));
    b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({
      contents: 'export default { initialize() {}, connectToDevTools() {} };',
    }));
  },
};

export async function bundleTui() {
  await build({
    entryPoints: [path.join(tui, 'dist', 'cli.js')],
    outfile: path.join(tui, 'dist', 'ciao.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // CommonJS dependencies call require() for Node's built-ins.
    banner: {
      js: "import { createRequire as __ciaoCreateRequire } from 'node:module'; const require = __ciaoCreateRequire(import.meta.url);",
    },
    define: { 'process.env.NODE_ENV': '"production"' },
    plugins: [noDevtools],
    legalComments: 'none',
    logLevel: 'warning',
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await bundleTui();
