// A window onto a remote `signalbox serve` console: its own session (cookies, cache) with the
// certificate pinned to the fingerprint serve printed, no preload (so no IPC bridge: the console
// signs in and talks over the WebSocket as in a browser), navigation only within that origin, no
// new windows, no permissions. The decisions are in remote-host.ts, tested without Electron.
import { BrowserWindow, session } from 'electron';
import { certificateVerdict, isRemoteConsoleUrl, remotePartition, type RemoteHost } from './remote-host.ts';
import { lockDown, windowSize } from './window.ts';

export function createRemoteWindow(host: RemoteHost): BrowserWindow {
  const remote = session.fromPartition(remotePartition(host));
  remote.setCertificateVerifyProc((request, callback) => callback(certificateVerdict(request, host)));
  const window = new BrowserWindow({
    ...windowSize,
    title: `Signalbox · ${host.name}`,
    show: false,
    // As the app's own window (window.ts), without a preload: a remote page gets no IPC bridge.
    webPreferences: {
      session: remote,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: false,
      disableBlinkFeatures: 'Auxclick',
    },
  });
  lockDown(window.webContents, (url) => isRemoteConsoleUrl(url, host));
  window.once('ready-to-show', () => window.show());
  void window.loadURL(`${host.origin}/`);
  return window;
}
