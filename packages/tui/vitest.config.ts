import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Run workspace packages from source (see the "@ciao/source" export condition).
  ssr: { resolve: { conditions: ['@ciao/source'] } },
  test: {
    name: 'tui',
    include: ['src/**/*.test.{ts,tsx}'],
    env: { FORCE_COLOR: '0', TZ: 'UTC' },
    testTimeout: 15_000,
  },
});
