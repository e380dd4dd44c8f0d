// The app:// protocol: serves the built console from disk with the path-traversal check and the
// CSP, so the window never loads file:// URLs (which would have broader privileges).
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { contentTypes, resolveStaticPath, securityHeaders } from '../engine/host/static-files.ts';
import { appHost, desktopCsp } from './security.ts';

export async function appResponse(rendererRoot: string, url: string): Promise<Response> {
  const parsed = new URL(url);
  const headers = { ...securityHeaders, 'Content-Security-Policy': desktopCsp };
  if (parsed.host !== appHost) return new Response('unknown host', { status: 404, headers });
  const file = resolveStaticPath(rendererRoot, parsed.pathname);
  if (!file) return new Response('bad path', { status: 400, headers });
  try {
    const body = await readFile(file);
    return new Response(body, {
      status: 200,
      headers: { ...headers, 'Content-Type': contentTypes[extname(file)] ?? 'application/octet-stream' },
    });
  } catch {
    return new Response('not found', { status: 404, headers });
  }
}
