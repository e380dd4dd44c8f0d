// The desktop app as a window onto a remote `signalbox serve`, decided without Electron so it is
// tested in plain Node: which host (a name in remote-hosts.json, or an address given on the command
// line), its origin (the only one the window may show), and the certificate pin, the SHA-256
// fingerprint serve printed for its self-signed certificate. The operator signs in there as in a
// browser: the window has no preload, so the console finds no bridge and uses the WebSocket.
import { createHash, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';

export interface RemoteHost {
  name: string;
  /** `https://host:port`, the console's origin (http only for loopback, as serve allows). */
  origin: string;
  /** `AB:CD:…`, 32 bytes as serve prints it (X509Certificate.fingerprint256); null: the system's trust decides. */
  fingerprint: string | null;
}

type RemoteHostCode = 'E_REMOTE_URL' | 'E_REMOTE_FINGERPRINT' | 'E_REMOTE_UNKNOWN' | 'E_REMOTE_HOSTS_FILE';

export class RemoteHostError extends Error {
  readonly code: RemoteHostCode;

  constructor(code: RemoteHostCode, message: string) {
    super(`${message} [${code}]`);
    this.name = 'RemoteHostError';
    this.code = code;
  }
}

/** The name of the file in Electron's userData folder that lists remote hosts. */
export const remoteHostsFile = 'remote-hosts.json';

const hostsFile = z
  .object({
    hosts: z.array(z.object({ name: z.string().min(1).max(64), url: z.string(), fingerprint: z.string().optional() }).strict()),
  })
  .strict();

function isLoopback(hostname: string): boolean {
  const bare = hostname.replace(/^\[|\]$/g, '');
  return bare === 'localhost' || bare === '::1' || (isIP(bare) === 4 && bare.startsWith('127.'));
}

/** Checks an address and fingerprint as an operator writes them; throws RemoteHostError saying what to write. */
export function remoteHost(name: string, url: string, fingerprint?: string): RemoteHost {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RemoteHostError(
      'E_REMOTE_URL',
      `remote host ${name}: "${url}" is not an address — write the console's address as serve prints it, e.g. https://console.example.net:8787/`,
    );
  }
  if (parsed.username || parsed.password)
    throw new RemoteHostError('E_REMOTE_URL', `remote host ${name}: the address carries a user or password — leave them out; you sign in in the window`);
  if (parsed.pathname !== '/' || parsed.search || parsed.hash)
    throw new RemoteHostError(
      'E_REMOTE_URL',
      `remote host ${name}: "${url}" has a path, query or fragment — give the console's origin only, e.g. ${parsed.origin}/`,
    );
  const secure = parsed.protocol === 'https:';
  if (!secure && !(parsed.protocol === 'http:' && isLoopback(parsed.hostname))) {
    throw new RemoteHostError(
      'E_REMOTE_URL',
      `remote host ${name}: "${url}" is not https — passwords and session cookies must not cross a network in clear; start serve with --cert/--key or --tls-self-signed and use https://`,
    );
  }
  return { name, origin: parsed.origin, fingerprint: fingerprint === undefined ? null : normalizeFingerprint(name, fingerprint, secure) };
}

function normalizeFingerprint(name: string, fingerprint: string, secure: boolean): string {
  if (!secure)
    throw new RemoteHostError(
      'E_REMOTE_FINGERPRINT',
      `remote host ${name}: a fingerprint pins a TLS certificate, and this address is http — use https:// or leave the fingerprint out`,
    );
  const hex = fingerprint
    .trim()
    .replace(/^sha-?256[:=/ ]?/i, '')
    .replace(/:/g, '');
  if (!/^[0-9a-f]{64}$/i.test(hex)) {
    throw new RemoteHostError(
      'E_REMOTE_FINGERPRINT',
      `remote host ${name}: "${fingerprint}" is not a SHA-256 fingerprint — copy the one serve printed ("SHA-256 fingerprint AB:CD:…", 32 bytes)`,
    );
  }
  return hex.toUpperCase().match(/../g)!.join(':');
}

/** The hosts of remote-hosts.json (`file` names it in errors). */
export function parseRemoteHosts(text: string, file: string): RemoteHost[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new RemoteHostError(
      'E_REMOTE_HOSTS_FILE',
      `${file}: not JSON (${err instanceof Error ? err.message : String(err)}) — write {"hosts": [{"name": "edge", "url": "https://…", "fingerprint": "AB:CD:…"}]}`,
    );
  }
  const checked = hostsFile.safeParse(json);
  if (!checked.success) {
    const issue = checked.error.issues[0]!;
    throw new RemoteHostError(
      'E_REMOTE_HOSTS_FILE',
      `${file}: ${issue.path.join('.') || '(file)'}: ${issue.message} — each host has a name, a url and optionally a fingerprint`,
    );
  }
  return checked.data.hosts.map((host) => remoteHost(host.name, host.url, host.fingerprint));
}

/** The hosts listed in DIR/remote-hosts.json; none when there is no such file. */
export function readRemoteHosts(dir: string): RemoteHost[] {
  const file = join(dir, remoteHostsFile);
  return existsSync(file) ? parseRemoteHosts(readFileSync(file, 'utf8'), file) : [];
}

/**
 * The remote host the command line asks for: `--remote NAME` (from the hosts file) or
 * `--remote URL [--fingerprint SHA256]`; null without --remote. Chromium's own switches pass.
 */
export function remoteFromArgs(argv: readonly string[], known: readonly RemoteHost[]): RemoteHost | null {
  const { values } = parseArgs({
    args: [...argv],
    options: { remote: { type: 'string' }, fingerprint: { type: 'string' } },
    strict: false,
    allowPositionals: true,
  });
  const asked = typeof values.remote === 'string' ? values.remote : undefined;
  const fingerprint = typeof values.fingerprint === 'string' ? values.fingerprint : undefined;
  if (asked === undefined) return null;
  if (asked.includes('://')) return remoteHost(asked, asked, fingerprint);
  const host = known.find((candidate) => candidate.name === asked);
  if (!host) {
    const names = known.map((candidate) => candidate.name).join(', ') || 'none yet';
    throw new RemoteHostError(
      'E_REMOTE_UNKNOWN',
      `--remote ${asked}: no such host in ${remoteHostsFile} (known: ${names}) — add it there, or give its address: --remote https://HOST:PORT/ --fingerprint AB:CD:…`,
    );
  }
  return host;
}

/** Navigation stays on the host's console: same scheme, host and port. */
export function isRemoteConsoleUrl(url: string, host: RemoteHost): boolean {
  try {
    return new URL(url).origin === host.origin;
  } catch {
    return false;
  }
}

/**
 * Electron's certificate verify result for `request` (session.setCertificateVerifyProc): 0 accept,
 * -2 refuse, -3 Chromium's own verification. A pinned host's certificate must be exactly the one
 * serve printed the fingerprint of (self-signed ones included); other names, and a host without a
 * pin, get Chromium's verification against the system's roots.
 */
export function certificateVerdict(request: { hostname: string; certificate: { data: string } }, host: RemoteHost): 0 | -2 | -3 {
  if (host.fingerprint === null || request.hostname !== new URL(host.origin).hostname.replace(/^\[|\]$/g, '')) return -3;
  try {
    return new X509Certificate(request.certificate.data).fingerprint256 === host.fingerprint ? 0 : -2;
  } catch {
    return -2;
  }
}

/** A session of its own per host (cookies, cache, the verify proc), kept across starts. */
export function remotePartition(host: RemoteHost): string {
  return `persist:remote-${createHash('sha256').update(host.origin).digest('hex').slice(0, 16)}`;
}
