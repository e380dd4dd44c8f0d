#!/usr/bin/env node
// Launcher for the built command line (dist/ is made by `npm run build`).
const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  process.stderr.write(`signalbox: needs Node 24 or newer (this is ${process.version}); run it through npm (npm run serve), which uses the pinned node@24\n`);
  process.exit(1);
}
try {
  const { main } = await import('../dist/engine/host/cli.js');
  await main(process.argv.slice(2));
} catch (err) {
  if (err?.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/engine/host/cli.js')) {
    process.stderr.write('signalbox: not built yet: run `npm run build` first\n');
    process.exit(1);
  }
  throw err;
}
