// signalbox's side of the bundler benchmark: the `signalbox bundle` command line for the cold runs,
// and, for the warm runs, the trust store loaded once in this process and the same `bundle()` the
// engine calls (the CLI calls bundleUploads, which bundle() wraps), fed the PEM file as an upload.
// Both read the same thing from the answer: cfssl's JSON report keys plus our `chains`.
import { bundle } from '../../engine/bundler/bundle.ts';
import { TrustStore } from '../../engine/bundler/trust/store.ts';
import { rootLabel } from './cfssl.ts';

export interface SignalboxOutcome {
  ok: boolean;
  /** The chosen chain's root (CN, with OU when it has one). */
  root: string | null;
  /** Certificates in the PEM bundle (root left out, as cfssl does). */
  bundleLength: number;
  /** The PEM bundle, trimmed; null when there is none. */
  bundle: string | null;
  /** Valid candidate chains, all ranked. */
  chains: number;
  error: string | null;
}

export function signalboxCliArgv(bin: string, certFile: string, trustDir: string, flavor: string, at: string | null): string[] {
  return [bin, 'bundle', certFile, '--flavor', flavor, '--json', '--trust', trustDir, ...(at ? ['--at', at] : [])];
}

interface Report {
  bundle?: string;
  root?: string;
  chains?: { root: string }[];
  code?: number;
  message?: string;
}

function outcomeOf(report: Report): SignalboxOutcome {
  if (typeof report.bundle !== 'string') {
    return { ok: false, root: null, bundleLength: 0, bundle: null, chains: 0, error: `${report.code ?? '?'} ${report.message ?? 'no bundle'}` };
  }
  return {
    ok: true,
    root: report.root ? rootLabel(report.root) : (report.chains?.[0]?.root ?? null),
    bundleLength: report.bundle.match(/-----BEGIN CERTIFICATE-----/g)?.length ?? 0,
    bundle: report.bundle.trim(),
    chains: report.chains?.length ?? 0,
    error: null,
  };
}

/** `signalbox bundle --json` prints the report on stdout, or `{"code":N,"message":...}`. */
export function readSignalboxCli(stdout: string, stderr: string): SignalboxOutcome {
  const text = stdout.trim();
  if (text.startsWith('{')) return outcomeOf(JSON.parse(text) as Report);
  return { ok: false, root: null, bundleLength: 0, bundle: null, chains: 0, error: stderr.trim().split('\n').at(-1) ?? 'no output' };
}

export interface LoadedBundler {
  loadMs: number;
  bundle(pem: string, flavor: 'ubiquitous' | 'optimal', at: string | null): SignalboxOutcome;
}

export function loadSignalbox(trustDir: string): LoadedBundler {
  const store = TrustStore.load(trustDir);
  return {
    loadMs: store.loadMs,
    bundle(pem, flavor, at) {
      const request = { files: [{ name: 'leaf.pem', base64: Buffer.from(pem).toString('base64') }], flavor, ...(at ? { at } : {}) };
      return outcomeOf(bundle(request, store).report as Report);
    },
  };
}
