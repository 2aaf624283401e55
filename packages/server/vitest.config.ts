import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Run workspace packages from source (see the "@ciao/source" export condition).
  ssr: { resolve: { conditions: ['@ciao/source'] } },
  test: {
    name: 'server',
    include: ['src/**/*.test.{ts,tsx}'],
    testTimeout: 15_000,
  },
});
