import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const gateway = process.env.CONSOLE_GATEWAY_URL ?? 'http://127.0.0.1:4000';

// Development: `npx vite console` serves on :5173 and proxies the gateway's paths (same origin,
// so the session cookie works as in production). Production: `vite build` into dist/console,
// served by the gateway (gateway/src/console-static.ts) with its CSP.
export default defineConfig({
  root: here('.'),
  plugins: [react()],
  build: {
    outDir: here('../dist/console'),
    emptyOutDir: true,
    modulePreload: { polyfill: false },
    sourcemap: false,
    chunkSizeWarningLimit: 600,
  },
  server: {
    host: '127.0.0.1',
    proxy: Object.fromEntries(
      ['/graphql', '/console/session', '/downloads', '/uploads'].map((path) => [
        path,
        { target: gateway, changeOrigin: false },
      ]),
    ),
  },
});
