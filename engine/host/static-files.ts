// Serving the built console safely, shared by `serve` (HTTP) and Electron (app:// protocol).
import { extname, resolve, sep } from 'node:path';

/**
 * The file under `root` that a URL path names, or null for any path with a `..` segment, a
 * backslash or a NUL byte (encoded or not), so nothing outside the root can be named. Paths without an extension fall back to index.html, the SPA.
 */
export function resolveStaticPath(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath.split(/[?#]/, 1)[0]!);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\') || decoded.split('/').includes('..')) return null;
  const base = resolve(root);
  const relative = decoded === '/' || extname(decoded) === '' ? '/index.html' : decoded;
  const file = resolve(base, '.' + relative);
  return file.startsWith(base + sep) ? file : null;
}

export const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

/**
 * The console's Content-Security-Policy: its own scripts and styles only, no inline script, no
 * plugins, no framing; `connect` lists where the API lives (the WebSocket in `serve`).
 */
export function contentSecurityPolicy(connect: string[] = []): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self' ${connect.join(' ')}`.trim(),
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}

export const securityHeaders: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};
