// Where the host finds its own files (the built console) and keeps its data.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder of Signalbox's package.json, found upwards from this file (source or built). */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'signalbox') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the signalbox package.json above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

/** The built renderer: `npm run build` writes it to dist/renderer. */
export function rendererDir(): string {
  return join(packageRoot(), 'dist', 'renderer');
}

/** The platform's data folder for Signalbox, unless SIGNALBOX_DATA_DIR says otherwise. */
export function defaultDataDir(): string {
  if (process.env.SIGNALBOX_DATA_DIR) return process.env.SIGNALBOX_DATA_DIR;
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Signalbox');
  if (process.platform === 'win32') return join(process.env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Signalbox');
  return join(process.env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'signalbox');
}
