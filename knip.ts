// knip: unused files, exports, types and dependencies (test/architecture/knip.test.ts runs it in
// `npm test`; what it still reports and is kept on purpose is listed in test/architecture/knip-kept.json).
export default {
  entry: ['engine/host/cli.ts', 'engine/host/engine-process.ts', 'electron/main.ts', 'electron/preload.ts', 'scripts/*.ts', 'test/**/*.test.ts', 'test/bench/*.ts', 'engine/bundler/input/kdf-worker.ts'],
  project: ['engine/**/*.ts', 'renderer/**/*.{ts,tsx}', 'electron/**/*.ts', 'scripts/**/*.ts', 'test/**/*.{ts,cjs}'],
  // An export used in its own file is that file's API kept readable, not dead code.
  ignoreExportsUsedInFile: true,
  // Loaded through createRequire(...).resolve in test/electron/electronegativity.test.ts, which knip cannot follow.
  ignoreDependencies: ['@doyensec/electronegativity'],
  // System programs the tests and benches run (apt packages, installed by .ci/run), not npm binaries.
  ignoreBinaries: ['cfssl', 'dpkg-query', 'taskset', 'ip', 'tc', 'openssl', 'prlimit', 'ss', 'knotd', 'unbound', 'named', 'redis-server', 'fstrm_capture', 'dnstap-ldns'],
};
