import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vitest/config';

// Two cores: two test files at a time. Each integration file starts its own engine on
// PGlite (in memory) or, with DATABASE_URL, in its own schemas on the server.
export default defineConfig({
  plugins: [vue()],
  test: {
    include: ['tests/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
