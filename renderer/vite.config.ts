import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The console builds to dist/renderer with relative asset paths, so the same files load from
// `serve` (http://host/) and from Electron's app:// protocol. Paths come from import.meta.dirname
// rather than node:path/node:url, so renderer/ stays free of Node imports (test/architecture).
export default defineConfig({
  root: import.meta.dirname,
  base: './',
  plugins: [react()],
  build: {
    outDir: `${import.meta.dirname}/../dist/renderer`,
    emptyOutDir: true,
    sourcemap: true,
    // No inline scripts or styles, so the strict CSP holds.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
});
