// Builds everything that runs: the engine host (CLI + engine process), Electron's main and preload,
// and the console. Output goes to dist/.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { build as buildRenderer } from 'vite';

const node = { bundle: true, platform: 'node', target: 'node24', sourcemap: true, logLevel: 'warning' } as const;

rmSync('dist', { recursive: true, force: true });
await Promise.all([
  build({
    ...node,
    // The bundler's KDF worker and the history store's worker are started by file name (worker_threads), so they are entries of their own.
    entryPoints: ['engine/host/cli.ts', 'engine/host/engine-process.ts', 'engine/bundler/input/kdf-worker.ts', 'engine/host/history/history-worker.ts'],
    outdir: 'dist',
    outbase: '.',
    format: 'esm',
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    packages: 'external',
  }),
  build({
    ...node,
    entryPoints: ['electron/main.ts'],
    outfile: 'dist/electron/main.js',
    format: 'esm',
    packages: 'external',
  }),
  // A sandboxed preload cannot require packages, so it is one self-contained CommonJS file.
  build({
    ...node,
    entryPoints: ['electron/preload.ts'],
    outfile: 'dist/electron/preload.cjs',
    format: 'cjs',
    external: ['electron'],
  }),
]);
await buildRenderer({ configFile: 'renderer/vite.config.ts', logLevel: 'warn' });
