import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vitest/config';
import rootConfig from '../vitest.config';

/**
 * The studio's tests: the root test settings plus the Vue plugin, which component tests need to
 * import .vue files. Only tests/studio and tests/e2e (include is replaced, not merged).
 * `npx vitest run --config studio/vitest.config.ts` (npm run test:studio).
 */
export default defineConfig({
  root: decodeURIComponent(new URL('..', import.meta.url).pathname),
  plugins: [vue()],
  test: { ...rootConfig.test, include: ['tests/studio/**/*.test.ts', 'tests/e2e/**/*.test.ts'] },
});
