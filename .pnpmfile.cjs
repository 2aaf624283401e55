// Native addons (better-sqlite3) are built by node-gyp, which downloads Node's headers unless
// it is told where they are. npm hands node-gyp its `nodedir` setting; pnpm 12 does not, so a
// machine without internet but with headers installed beside Node (Debian's nodejs, the
// official tarballs, nvm) failed to build. Point node-gyp at those headers when they match the
// running Node; otherwise leave node-gyp to its usual download.
const { existsSync, readFileSync } = require('node:fs');
const { dirname, join } = require('node:path');

function localNodeDir() {
  if (process.env.npm_config_nodedir) return process.env.npm_config_nodedir;
  const prefix = dirname(dirname(process.execPath));
  const header = join(prefix, 'include', 'node', 'node_version.h');
  if (!existsSync(header)) return undefined;
  const text = readFileSync(header, 'utf8');
  const part = (name) => new RegExp(`#define NODE_${name}_VERSION (\\d+)`).exec(text)?.[1];
  const version = `v${part('MAJOR')}.${part('MINOR')}.${part('PATCH')}`;
  return version === process.version ? prefix : undefined;
}

module.exports = {
  hooks: {
    updateConfig(config) {
      const nodedir = localNodeDir();
      if (nodedir === undefined) return config;
      return { ...config, extraEnv: { ...config.extraEnv, npm_config_nodedir: nodedir } };
    },
  },
};
