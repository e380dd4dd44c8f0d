// x509-limbo harness (C2SP/x509-limbo): runs every testcase through the bundler's chain builder
// and validator, with the policy `bundle` uses (validationPolicy: every flavor validates alike), and
// scores it as upstream does. A case passes when the actual result equals the
// expected one; SKIPPED is neutral; an "unexpected verification" (expected FAILURE, got SUCCESS)
// is the security-relevant failure and is counted apart.
//
//   node --import tsx test/limbo/harness.ts [--limbo FILE] [--out results.json] [--filter PREFIX]
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { parseCertificate, type Certificate } from '../../engine/bundler/certificate.ts';
import { validationPolicy } from '../../engine/bundler/bundle.ts';
import { buildChains } from '../../engine/bundler/chain/search.ts';
import { CertificateIndex } from '../../engine/bundler/trust/index.ts';
import { pemCertificates } from '../../engine/bundler/input/pem.ts';

const here = dirname(fileURLToPath(import.meta.url));
/** The suite ships with the repository (test/fixtures/x509-limbo/README.md). */
export const LIMBO_DIR = resolve(here, '../fixtures/x509-limbo');
export const LIMBO_FILE = resolve(LIMBO_DIR, 'limbo.json.gz');
export const BASELINE_FILE = resolve(here, 'baseline.json');

export interface Testcase {
  id: string;
  description: string;
  features?: string[];
  validation_kind: 'SERVER' | 'CLIENT';
  trusted_certs: string[];
  untrusted_intermediates: string[];
  peer_certificate: string;
  validation_time: string | null;
  signature_algorithms?: string[];
  key_usage?: string[];
  extended_key_usage?: string[];
  expected_result: 'SUCCESS' | 'FAILURE';
  expected_peer_name?: { kind: string; value: string } | null;
  expected_peer_names?: { kind: string; value: string }[];
  max_chain_depth?: number | null;
  crls?: string[];
}

export type Actual = 'SUCCESS' | 'FAILURE' | 'SKIPPED';
export interface Result {
  id: string;
  actual_result: Actual;
  context: string | null;
}

/** Optional behaviours we do not implement: such cases are SKIPPED with the reason. */
export const UNSUPPORTED_FEATURES: Record<string, string> = {
  'has-crl': 'revocation (CRLs) is not checked: the bundler runs offline',
  'has-policy-constraints': 'certificate policies are not processed',
  'max-chain-depth': 'a per-case maximum chain depth is not supported',
  'pedantic-rfc5280': 'pedantic RFC 5280 encoding rules are not enforced',
  'pedantic-serial-number': 'serial number encoding rules are not enforced',
  'pedantic-webpki-eku': 'pedantic Web PKI EKU rules are not enforced',
  'pedantic-public-suffix-wildcard': 'wildcards are not checked against the public suffix list',
  'pedantic-webpki-subscriber-key': 'pedantic Web PKI subscriber key rules are not enforced',
  'rfc5280-incompatible-with-webpki': 'we follow the Web PKI where it differs from RFC 5280',
};

/** Groups of cases for rules we do not enforce, by id prefix, with the reason. */
export const UNSUPPORTED_GROUPS: Record<string, string> = {
  // BetterTLS's own cases carry CNs that differ from their SANs and expect success, so the rule is not applied.
  'webpki::cn::': 'CABF 7.1.4.3 (the CN must copy a SAN entry) is not enforced: we never read the CN',
};

function parseAll(pems: string[]): Certificate[] {
  const out: Certificate[] = [];
  for (const pem of pems) {
    for (const der of pemCertificates(pem)) {
      try {
        out.push(parseCertificate(der));
      } catch {
        // an unreadable pool or anchor certificate is simply not there
      }
    }
  }
  return out;
}

export function skipReason(tc: Testcase): string | null {
  if (tc.validation_kind !== 'SERVER') return 'only SERVER (TLS server) validation is supported';
  for (const [prefix, reason] of Object.entries(UNSUPPORTED_GROUPS)) if (tc.id.startsWith(prefix)) return reason;
  for (const feature of tc.features ?? []) {
    const reason = UNSUPPORTED_FEATURES[feature];
    if (reason) return `feature ${feature}: ${reason}`;
  }
  if ((tc.signature_algorithms ?? []).length > 0) return 'restricting signature algorithms is not supported';
  if ((tc.key_usage ?? []).length > 0) return 'requiring leaf key usages is not supported';
  if ((tc.extended_key_usage ?? []).some((e) => e !== 'serverAuth')) return 'only the serverAuth EKU is checked';
  const names = [...(tc.expected_peer_name ? [tc.expected_peer_name] : []), ...(tc.expected_peer_names ?? [])];
  if (names.some((n) => n.kind !== 'DNS' && n.kind !== 'IP')) return 'only DNS and IP peer names are checked';
  if ((tc.crls ?? []).length > 0) return 'CRLs are not checked';
  return null;
}

export function runCase(tc: Testcase): Result {
  const reason = skipReason(tc);
  if (reason) return { id: tc.id, actual_result: 'SKIPPED', context: reason };
  let leaf: Certificate;
  try {
    leaf = parseCertificate(pemCertificates(tc.peer_certificate)[0] ?? Buffer.alloc(0));
  } catch (error) {
    return { id: tc.id, actual_result: 'FAILURE', context: `leaf: ${(error as Error).message}` };
  }
  const names = [...(tc.expected_peer_name ? [tc.expected_peer_name] : []), ...(tc.expected_peer_names ?? [])];
  const at = tc.validation_time ? new Date(tc.validation_time) : new Date();
  const anchors = new CertificateIndex(parseAll(tc.trusted_certs));
  const pool = new CertificateIndex(parseAll(tc.untrusted_intermediates));
  const hostnames = names.length > 0 ? names.map((n) => n.value) : [undefined];
  for (const hostname of hostnames) {
    const result = buildChains(
      leaf,
      { anchors, pools: [{ index: pool, source: 'uploaded' }] },
      validationPolicy({ at, ...(hostname ? { domain: hostname } : {}) }),
    );
    if (result.error) return { id: tc.id, actual_result: 'FAILURE', context: `${result.error.code} ${result.error.message}` };
  }
  return { id: tc.id, actual_result: 'SUCCESS', context: null };
}

export interface Summary {
  total: number;
  passed: number;
  unexpectedVerifications: string[];
  unexpectedFailures: string[];
  skipped: number;
}

export function loadTestcases(file = LIMBO_FILE): Testcase[] {
  const raw = readFileSync(file);
  const text = file.endsWith('.gz') ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
  const json = JSON.parse(text) as { testcases?: Testcase[] } & Testcase;
  return json.testcases ?? [json];
}

export function runAll(testcases: Testcase[]): { results: Result[]; summary: Summary } {
  const results: Result[] = [];
  const summary: Summary = { total: testcases.length, passed: 0, unexpectedVerifications: [], unexpectedFailures: [], skipped: 0 };
  for (const tc of testcases) {
    const result = runCase(tc);
    results.push(result);
    if (result.actual_result === 'SKIPPED') summary.skipped++;
    else if (result.actual_result === tc.expected_result) summary.passed++;
    else if (result.actual_result === 'SUCCESS') summary.unexpectedVerifications.push(tc.id);
    else summary.unexpectedFailures.push(tc.id);
  }
  return { results, summary };
}

function main(argv: string[]): void {
  const arg = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const file = arg('--limbo') ?? LIMBO_FILE;
  if (!existsSync(file)) {
    console.error(`limbo: ${file} not found — pass --limbo FILE, or restore test/fixtures/x509-limbo from git`);
    process.exit(2);
  }
  const filter = arg('--filter');
  const started = performance.now();
  const testcases = loadTestcases(file).filter((tc) => !filter || tc.id.startsWith(filter));
  const { results, summary } = runAll(testcases);
  const out = arg('--out');
  if (out) writeFileSync(out, `${JSON.stringify({ version: 1, harness: 'signalbox-bundler', results }, null, 1)}\n`);
  console.log(`x509-limbo: ${summary.total} testcases in ${Math.round(performance.now() - started)} ms`);
  console.log(`  passed                   ${summary.passed}`);
  console.log(`  unexpected verifications ${summary.unexpectedVerifications.length}`);
  console.log(`  unexpected failures      ${summary.unexpectedFailures.length}`);
  console.log(`  skipped                  ${summary.skipped}`);
  if (argv.includes('--list')) {
    for (const id of summary.unexpectedVerifications) console.log(`  VERIFIED (expected FAILURE): ${id}`);
    for (const id of summary.unexpectedFailures) console.log(`  FAILED (expected SUCCESS):   ${id}  ${results.find((r) => r.id === id)?.context ?? ''}`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main(process.argv.slice(2));
