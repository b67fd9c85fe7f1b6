import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const backend = process.env.SB_BACKEND_URL ?? 'http://127.0.0.1:3000';

/** The web panel: built into web/dist, which the service serves with an SPA fallback. */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  publicDir: 'public',
  // Preact's automatic JSX runtime through Vite's built-in oxc transform (no framework plugin needed).
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    sourcemap: false,
  },
  server: {
    proxy: {
      '/api': { target: backend, changeOrigin: false },
      '/health': { target: backend, changeOrigin: false },
      '/socket.io': { target: backend, ws: true, changeOrigin: false },
    },
  },
});
