import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

// No node: imports here (the studio's lint rule); a file: URL's path is enough.
const path = (rel: string) => decodeURIComponent(new URL(rel, import.meta.url).pathname);
const root = path('.');

/**
 * The studio: `vite build --config studio/vite.config.ts` writes studio/dist, which the engine
 * serves on its own port; `vite --config studio/vite.config.ts` serves it with hot reload and
 * proxies /api to the engine on http://localhost:3000 (TESSERA_API to change it).
 */
export default defineConfig({
  root,
  base: '/',
  plugins: [vue()],
  build: {
    outDir: path('./dist'),
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    port: 5173,
    proxy: { '/api': { target: process.env.TESSERA_API ?? 'http://localhost:3000', changeOrigin: true } },
  },
});
