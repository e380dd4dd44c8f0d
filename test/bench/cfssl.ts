// cfssl, the reference of the bundler benchmark (Debian's golang-cfssl: apt-get install golang-cfssl).
// `cfssl bundle` once per leaf as a new process (cold), and `cfssl serve` on 127.0.0.1 answering
// POST /api/v1/cfssl/bundle over and over (warm: the bundler loaded once, as our in-process run).
// cfssl follows the leaf's AIA caIssuers URLs when its first verification fails; the bench points
// HTTP_PROXY at a closed loopback port so those fetches fail at once and nothing leaves the machine
// (signalbox does not fetch either).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { freePort } from '../helpers/knot.ts';
import { waitFor } from '../helpers/wait.ts';
import { stopChild } from './peers.ts';

/** An HTTP proxy nobody listens on: every outgoing fetch of cfssl's fails with "connection refused". */
export const offlineEnv: NodeJS.ProcessEnv = { ...process.env, HTTP_PROXY: 'http://127.0.0.1:9', HTTPS_PROXY: 'http://127.0.0.1:9', NO_PROXY: '' };

/** The trust files cfssl reads, from a cfssl_trust-layout folder (resources/trust/cfssl-2017). */
export function cfsslTrustArgs(dir: string): string[] {
  return ['-ca-bundle', join(dir, 'ca-bundle.crt'), '-int-bundle', join(dir, 'int-bundle.crt'), '-metadata', join(dir, 'ca-bundle.crt.metadata')];
}

export function cfsslBundleArgv(certFile: string, trustDir: string, flavor: string): string[] {
  return ['cfssl', 'bundle', '-cert', certFile, ...cfsslTrustArgs(trustDir), '-flavor', flavor];
}

/** `cfssl version` and the Debian package version, e.g. "1.2.0 (go1.19.8), golang-cfssl 1.2.0+git20160825...". */
export function cfsslVersion(): string {
  const out = execFileSync('cfssl', ['version'], { encoding: 'utf8' });
  const version = out.match(/^Version:\s*(.*)$/m)?.[1] ?? '?';
  const runtime = out.match(/^Runtime:\s*(.*)$/m)?.[1] ?? '?';
  let pkg = '?';
  try {
    pkg = execFileSync('dpkg-query', ['-W', '-f', '${Version}', 'golang-cfssl'], { encoding: 'utf8' });
  } catch {
    // not installed from Debian's package: the version line is all we know
  }
  return `cfssl ${version} (${runtime}), Debian golang-cfssl ${pkg}`;
}

export function assertCfssl(): void {
  try {
    execFileSync('cfssl', ['version'], { stdio: 'ignore' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new Error('cfssl is not installed — apt-get install golang-cfssl', { cause: err });
    throw err;
  }
}

/** What the bench reads from cfssl's JSON answer (the CLI prints it; the server wraps it in `result`). */
export interface CfsslOutcome {
  ok: boolean;
  /** Subject CN (or the whole subject) of the root cfssl anchored to. */
  root: string | null;
  /** Certificates in the bundle it returns (root left out, as cfssl does). */
  bundleLength: number;
  /** The PEM bundle, trimmed; null when it failed. */
  bundle: string | null;
  /** cfssl's error code and message when it failed. */
  error: string | null;
}

/** A root as the tables name it: its CN, with its OU when it has one (GlobalSign's roots share CN=GlobalSign); the OU alone without a CN. */
export function rootLabel(pem: string): string {
  const subject = new X509Certificate(pem).subject;
  const cn = subject.match(/^CN=(.*)$/m)?.[1];
  const ou = subject.match(/^OU=(.*)$/m)?.[1];
  if (!cn) return ou ?? subject.replaceAll('\n', ', ');
  return ou ? `${cn} (${ou})` : cn;
}

export function readCfsslResult(json: unknown): CfsslOutcome {
  const result = json as { bundle?: string; root?: string; code?: number; message?: string };
  if (typeof result.bundle === 'string') {
    return {
      ok: true,
      root: result.root ? rootLabel(result.root) : null,
      bundleLength: result.bundle.match(/-----BEGIN CERTIFICATE-----/g)?.length ?? 0,
      bundle: result.bundle.trim(),
      error: null,
    };
  }
  return { ok: false, root: null, bundleLength: 0, bundle: null, error: `${result.code ?? '?'} ${result.message ?? JSON.stringify(json).slice(0, 200)}` };
}

/** The CLI prints the JSON on stdout, or a JSON error (`{"code":1211,...}`) among the log lines on stderr. */
export function readCfsslCli(stdout: string, stderr: string): CfsslOutcome {
  const text = stdout.trim();
  if (text.startsWith('{')) return readCfsslResult(JSON.parse(text));
  const errorLine = stderr
    .split('\n')
    .reverse()
    .find((line) => line.includes('{"code"'));
  if (errorLine) return readCfsslResult(JSON.parse(errorLine.slice(errorLine.indexOf('{'))));
  return { ok: false, root: null, bundleLength: 0, bundle: null, error: stderr.trim().split('\n').at(-1) ?? 'no output' };
}

export interface CfsslServer {
  port: number;
  pid: number;
  /** POSTs one certificate (PEM, leaf first) to the bundle endpoint; resolves to cfssl's answer. */
  bundle(pem: string, flavor: string): Promise<CfsslOutcome>;
  /** GET /api/v1/cfssl/scaninfo: a cheap answer from the same server, the floor of one HTTP round trip. */
  floor(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts `cfssl serve` on 127.0.0.1 with the bundler loaded from `trustDir`, and waits until it answers. */
export async function startCfsslServe(trustDir: string): Promise<CfsslServer> {
  const port = await freePort();
  const child: ChildProcess = spawn('cfssl', ['serve', '-address', '127.0.0.1', '-port', String(port), ...cfsslTrustArgs(trustDir)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: offlineEnv,
  });
  let tail = '';
  child.stderr!.on('data', (chunk: Buffer) => (tail = (tail + chunk.toString()).slice(-4096)));
  const base = `http://127.0.0.1:${port}/api/v1/cfssl`;
  const stop = () => stopChild(child);
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`cfssl serve exited with ${child.exitCode}: ${tail.trim()}`);
        return fetch(`${base}/scaninfo`).then(
          (r) => r.ok,
          () => false,
        );
      },
      'cfssl serve to answer',
      15_000,
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    port,
    pid: child.pid!,
    async bundle(pem, flavor) {
      const response = await fetch(`${base}/bundle`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ certificate: pem, flavor }),
      });
      const body = (await response.json()) as { success: boolean; result?: unknown; errors?: { code: number; message: string }[] };
      if (body.success) return readCfsslResult(body.result);
      const first = body.errors?.[0];
      return { ok: false, root: null, bundleLength: 0, bundle: null, error: first ? `${first.code} ${first.message}` : `HTTP ${response.status}` };
    },
    async floor() {
      await (await fetch(`${base}/scaninfo`)).arrayBuffer();
    },
    stop,
  };
}
