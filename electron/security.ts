// The Electron shell's security decisions as plain functions, so they are tested without Electron.
import { contentSecurityPolicy } from '../engine/host/static-files.ts';

/** The console's own origin: every page, IPC message and navigation must come from it. */
export const appScheme = 'app';
export const appHost = 'signalbox';
export const appOrigin = `${appScheme}://${appHost}`;
export const appEntry = `${appOrigin}/index.html`;

/** The CSP of the desktop console: like `serve`'s, with no WebSocket (the API goes over IPC). */
export const desktopCsp = contentSecurityPolicy();

export function isAppUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === `${appScheme}:` && parsed.host === appHost;
  } catch {
    return false;
  }
}

/** IPC is answered only for the app's own top-level frame; iframes and other pages are refused. */
export function isTrustedFrame(frame: { url: string; isTopLevel: boolean } | null): boolean {
  return frame !== null && frame.isTopLevel && isAppUrl(frame.url);
}

/** Opening links in the app is never allowed; http(s) links go to the system browser. */
export function externalLink(url: string): string | null {
  try {
    const { protocol } = new URL(url);
    return protocol === 'https:' || protocol === 'http:' ? url : null;
  } catch {
    return null;
  }
}
