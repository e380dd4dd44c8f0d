// Electron's main process: hosts the same engine host as `serve`, serves the console over app://
// and answers its IPC; or, started with --remote, is only a window onto a remote `serve` console
// (remote-host.ts). Kept thin: everything it calls is tested without Electron.
import { app, protocol } from 'electron';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultConfig, loadConfig } from '../engine/host/config.ts';
import { startHost, type Host } from '../engine/host/host.ts';
import { createLogger } from '../engine/host/log.ts';
import { registerIpc } from './ipc.ts';
import { isRemoteConsoleUrl, readRemoteHosts, remoteFromArgs, type RemoteHost } from './remote-host.ts';
import { createRemoteWindow } from './remote-window.ts';
import { appResponse } from './protocol.ts';
import { appScheme, isAppUrl } from './security.ts';
import { createWindow, lockDown } from './window.ts';

const dist = fileURLToPath(new URL('..', import.meta.url));
const log = createLogger({ engine: 'host' });

protocol.registerSchemesAsPrivileged([{ scheme: appScheme, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
app.enableSandbox();
let host: Host | undefined;
/** Set before any window exists when the app was started with --remote. */
let remote: RemoteHost | null = null;

app.on('web-contents-created', (_event, contents) => {
  const shown = remote;
  lockDown(contents, shown ? (url) => isRemoteConsoleUrl(url, shown) : isAppUrl);
});

async function ready(): Promise<void> {
  const dataDir = app.getPath('userData');
  remote = remoteFromArgs(process.argv.slice(1), readRemoteHosts(dataDir));
  if (remote) {
    log.info('window onto a remote console', { name: remote.name, origin: remote.origin, pinned: remote.fingerprint !== null });
    createRemoteWindow(remote);
    return;
  }
  const configFile = join(dataDir, 'signalbox.yaml');
  const config = existsSync(configFile) ? loadConfig(configFile) : defaultConfig();
  protocol.handle(appScheme, (request) => appResponse(join(dist, 'renderer'), request.url));
  host = await startHost({
    config,
    dataDir,
    version: app.getVersion(),
    log,
    engineEntry: join(dist, 'engine', 'host', 'engine-process.js'),
    // fork() from Electron's main starts Electron itself; this makes it run as plain Node.
    engineEnv: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
  });
  registerIpc(host.router);
  createWindow(join(dist, 'electron', 'preload.cjs'));
}

// A failure anywhere in start-up (a bad signalbox.yaml, an engine that cannot start) is logged and
// ends the app: without the catch it would be an unhandled rejection and a running app with no window.
app
  .whenReady()
  .then(ready)
  .catch((err: unknown) => {
    log.error('could not start', { error: err instanceof Error ? err.message : String(err) });
    app.exit(1);
  });

app.on('window-all-closed', () => app.quit());

let quitting = false;
app.on('before-quit', (event) => {
  if (quitting || !host) return;
  quitting = true;
  event.preventDefault();
  void host.stop().finally(() => app.quit());
});
