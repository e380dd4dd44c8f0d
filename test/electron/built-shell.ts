// Loads the built Electron shell (dist/electron/main.js, as `npm start` runs it) in plain Node with
// `electron` resolved to the recording stand-in, so its start-up runs for real: config from the
// userData folder, the engine host and its supervisor, IPC, the window.
import { registerHooks } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { app } from './electron-stand-in.ts';

export const dist = fileURLToPath(new URL('../../dist/', import.meta.url));
const standIn = { import: import.meta.resolve('./electron-stand-in.ts'), require: import.meta.resolve('./electron-stand-in.cjs') };

registerHooks({
  resolve(specifier, context, nextResolve) {
    if (specifier !== 'electron') return nextResolve(specifier, context);
    return { url: context.conditions.includes('require') ? standIn.require : standIn.import, shortCircuit: true };
  },
});

/** Imports the built main process with `userData` as Electron's userData folder. */
export async function loadBuiltShell(userData: string): Promise<void> {
  app.userData = userData;
  await import(pathToFileURL(join(dist, 'electron', 'main.js')).href);
}
