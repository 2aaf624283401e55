import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Run workspace packages from source (see the "@ciao/source" export condition).
  ssr: { resolve: { conditions: ['@ciao/source'] } },
  test: {
    name: 'tui',
    include: ['src/**/*.test.{ts,tsx}'],
    // Colour on (as gemini-cli does), so removing a mention, error or dim style fails a snapshot.
    env: { FORCE_COLOR: '3', TZ: 'UTC' },
    testTimeout: 15_000,
  },
});
