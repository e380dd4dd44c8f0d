// The console window, locked down: isolated, sandboxed, no Node, no navigation away from the app
// (or, for a remote host, from its console's origin), no new windows, no permissions.
import { BrowserWindow, shell, type WebContents } from 'electron';
import { appEntry, externalLink, isAppUrl } from './security.ts';

/** `mayShow`: the URLs the window may navigate to (the app's own, or one remote console's). */
export function lockDown(contents: WebContents, mayShow: (url: string) => boolean = isAppUrl): void {
  contents.setWindowOpenHandler(({ url }) => {
    const link = externalLink(url);
    if (link) void shell.openExternal(link);
    return { action: 'deny' };
  });
  contents.on('will-navigate', (event, url) => {
    if (!mayShow(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!mayShow(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  contents.session.setPermissionCheckHandler(() => false);
}

export const windowSize = { width: 1280, height: 820, minWidth: 900, minHeight: 600 } as const;

export function createWindow(preload: string): BrowserWindow {
  const window = new BrowserWindow({
    ...windowSize,
    title: 'Signalbox',
    show: false,
    // Written out here and in remote-window.ts rather than shared: the security linter
    // (electronegativity.test.ts) checks only options it can read as literals.
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
