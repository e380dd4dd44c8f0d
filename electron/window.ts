// The one console window, locked down: isolated, sandboxed, no Node, no navigation away from the
// app, no new windows, no permissions.
import { BrowserWindow, shell, type WebContents } from 'electron';
import { appEntry, externalLink, isAppUrl } from './security.ts';

export function lockDown(contents: WebContents): void {
  contents.setWindowOpenHandler(({ url }) => {
    const link = externalLink(url);
    if (link) void shell.openExternal(link);
    return { action: 'deny' };
  });
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  contents.session.setPermissionCheckHandler(() => false);
}

export function createWindow(preload: string): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    title: 'Signalbox',
    show: false,
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: false,
      // No auxclick events for the page (middle-click on a link), so nothing can open a window that
      // way; setWindowOpenHandler denies every window anyway (Electron security checklist, 13-14).
      disableBlinkFeatures: 'Auxclick',
    },
  });
  lockDown(window.webContents);
  window.once('ready-to-show', () => window.show());
  void window.loadURL(appEntry);
  return window;
}
