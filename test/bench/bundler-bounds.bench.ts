// Security bounds of the bundler (issue 22): the worst-case time of a maximal allowed upload
// (8 files of 1 MiB, the request cap) through the engine's bundler.bundle with the shipped
// `current` trust data, for each shape of crafted input the input bounds cut: PEM BEGIN lines,
// back-to-back DER objects, encrypted keys and PKCS#12 files at the KDF caps, legacy encrypted
// keys, thousands of cross-signed CAs. For each: wall time of the call (median and max of the
// runs), the longest event-loop stall meanwhile (what other calls to the engine wait at most),
// and what the answer said. Writes the `bundler-bounds` section of test/bench/RESULTS.md.
//
//   node --import tsx test/bench/bundler-bounds.bench.ts [--runs 3] [--no-results]
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ApiError } from '../../engine/api/errors.ts';
import { bundlerEngine } from '../../engine/bundler/engine.ts';
import { makeCert, newKey, type Made } from '../engine/bundler/chain/certs.ts';
import { quietLog, tempDir } from '../helpers/host.ts';
import { commit, loadAverage, machineLine } from './machine.ts';
import { writeSection } from './results-file.ts';

const resultsFile = fileURLToPath(new URL('RESULTS.md', import.meta.url));
const { values: options } = parseArgs({
  options: { runs: { type: 'string', default: '3' }, results: { type: 'boolean', default: true } },
  allowNegative: true,
});
const runs = Number(options.runs);
const MiB = 1024 * 1024;
const files = 8;

/** `unit` repeated to fill one 1 MiB file (whole copies only). */
const fill = (unit: string | Buffer): Buffer => {
  const bytes = typeof unit === 'string' ? Buffer.from(unit) : unit;
  return Buffer.concat(Array.from({ length: Math.floor(MiB / bytes.length) }, () => bytes));
};
const upload = (name: string, bytes: Buffer, password?: string) => ({ name, base64: bytes.toString('base64'), ...(password ? { password } : {}) });
const eight = (prefix: string, bytes: Buffer, password?: string) => Array.from({ length: files }, (_, i) => upload(`${prefix}${i}`, bytes, password));

const work = tempDir('bundler-bounds');
const openssl = (args: string[], input?: string) => execFileSync('openssl', args, { cwd: work, ...(input ? { input } : {}), stdio: ['pipe', 'pipe', 'pipe'] });
const plainKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const keyAtCap = openssl(['pkcs8', '-topk8', '-v2', 'aes-256-cbc', '-v2prf', 'hmacWithSHA256', '-iter', '2000000', '-passout', 'pass:pw'], plainKey).toString();
const legacyKey = openssl(['ec', '-aes-128-cbc', '-passout', 'pass:pw'], plainKey).toString();
writeFileSync(join(work, 'k.pem'), plainKey);
openssl(['req', '-x509', '-new', '-key', 'k.pem', '-subj', '/CN=bounds.example', '-days', '30', '-out', 'c.pem']);
// PBES2 at the PBKDF2 cap for the contents and the key (a 1-round MAC); and OpenSSL's defaults with a 1-round MAC.
openssl(['pkcs12', '-export', '-in', 'c.pem', '-inkey', 'k.pem', '-iter', '2000000', '-nomaciter', '-passout', 'pass:pw', '-out', 'cap.p12']);
openssl(['pkcs12', '-export', '-in', 'c.pem', '-inkey', 'k.pem', '-nomaciter', '-passout', 'pass:pw', '-out', 'macless.p12']);
const p12AtCap = readFileSync(join(work, 'cap.p12'));
const cheapP12 = readFileSync(join(work, 'macless.p12'));

/** `count` CAs sharing a few names and keys, each signed by several others: a graph the search must cut. */
function crossSigned(count: number): Made[] {
  const cas = Array.from({ length: 20 }, (_, i) => makeCert({ subject: `Bounds CA ${i}`, key: newKey(), ca: true }));
  const out: Made[] = [...cas];
  for (let n = out.length; n < count; n++) {
    const subject = cas[n % cas.length]!;
    out.push(makeCert({ subject: subject.subject, key: subject.key, ca: true, issuer: cas[(n * 7 + 3) % cas.length]!, serial: n + 1000 }));
  }
  return out;
}
const graph = crossSigned(files * 2_000);
const leaf = makeCert({ subject: 'victim.example', ca: false, dns: ['victim.example'], issuer: graph[0]! });
const graphFiles = Array.from({ length: files }, (_, i) =>
  upload(`cas${i}.der`, Buffer.concat(graph.slice(i * 2_000, (i + 1) * 2_000).map((m) => m.cert.der)).subarray(0, MiB)),
);

interface Case {
  name: string;
  shape: string;
  request: { files: { name: string; base64: string; password?: string }[] };
}
const cases: Case[] = [
  {
    name: 'PEM BEGIN lines',
    shape: '8 × 1 MiB of `-----BEGIN CERTIFICATE-----` lines, no END (299,592 blocks)',
    request: { files: eight('begin', fill('-----BEGIN CERTIFICATE-----\n')) },
  },
  { name: 'tiny DER objects', shape: '8 × 1 MiB of `30 00` (4,194,304 empty SEQUENCEs)', request: { files: eight('empty', fill(Buffer.of(0x30, 0x00))) } },
  {
    name: 'keys at the KDF cap',
    shape: `8 × 1 MiB of one encrypted key at 2,000,000 PBKDF2 rounds (${Math.floor(MiB / keyAtCap.length)} copies a file)`,
    request: { files: eight('keys', fill(keyAtCap), 'pw') },
  },
  {
    name: 'PKCS#12 at the KDF cap',
    shape: `8 × 1 MiB of back-to-back PKCS#12 files, PBES2 at 2,000,000 rounds, 1-round MAC (${Math.floor(MiB / p12AtCap.length)} a file)`,
    request: { files: eight('p12', fill(p12AtCap), 'pw') },
  },
  {
    name: 'cheap PKCS#12',
    shape: `8 × 1 MiB of back-to-back PKCS#12 files, OpenSSL's defaults with a 1-round MAC (${Math.floor(MiB / cheapP12.length)} a file)`,
    request: { files: eight('cheap', fill(cheapP12), 'pw') },
  },
  {
    name: 'legacy encrypted keys',
    shape: `8 × 1 MiB of one Proc-Type 4,ENCRYPTED EC key (${Math.floor(MiB / legacyKey.length)} copies a file)`,
    request: { files: eight('legacy', fill(legacyKey), 'pw') },
  },
  {
    name: 'cross-signed CAs',
    shape: '16,000 distinct CA certificates (20 names and keys, each signed by another) and a leaf under them',
    request: { files: [upload('leaf.pem', Buffer.from(leaf.cert.pem)), ...graphFiles.slice(0, files - 1)] },
  },
];

const engine = await bundlerEngine.start({ config: { enabled: true, trust: 'current' }, dataDir: tempDir('bundler-bounds-data'), log: quietLog });
const loadStart = loadAverage();
const rows: string[] = [];
for (const c of cases) {
  const walls: number[] = [];
  const stalls: number[] = [];
  let said = '';
  for (let run = 0; run < runs; run++) {
    // The longest gap between ticks of a 5 ms interval: what a call arriving meanwhile would wait.
    let last = performance.now();
    let worst = 0;
    const probe = setInterval(() => {
      const now = performance.now();
      worst = Math.max(worst, now - last - 5);
      last = now;
    }, 5);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const started = performance.now();
    try {
      const result = await engine.procedures['bundler.bundle']!({ ...c.request, at: '2025-06-01T00:00:00Z' });
      const byCode = new Map<number, number>();
      for (const p of result.problems) byCode.set(p.code, (byCode.get(p.code) ?? 0) + 1);
      said = `${result.uploaded.length} certificates, ${result.chains.length} chains; problems ${[...byCode].map(([code, n]) => `${code} × ${n}`).join(', ') || 'none'}`;
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      said = `${err.code}: ${err.message.slice(0, 90)}${err.message.length > 90 ? '…' : ''}`;
    }
    walls.push(performance.now() - started);
    // One more turn of the loop, so that a stall that lasted to the end of the call is recorded.
    await new Promise((resolve) => setTimeout(resolve, 20));
    clearInterval(probe);
    stalls.push(worst);
  }
  walls.sort((a, b) => a - b);
  const ms = (x: number) => Math.round(x).toLocaleString('en-US');
  rows.push(`| ${c.name} | ${c.shape} | ${ms(walls[Math.floor(walls.length / 2)]!)} | ${ms(walls.at(-1)!)} | ${ms(Math.max(...stalls))} | ${said} |`);
  console.log(rows.at(-1));
}
await engine.stop();

const section = `## Security bounds: bundler (\`node --import tsx test/bench/bundler-bounds.bench.ts\`)

Run: ${new Date().toString()}; ${commit()}.

- ${machineLine()}; load average (1 min) ${loadStart.toFixed(2)} at start, ${loadAverage().toFixed(2)} at end (other work shares the machine)
- node ${process.version}; the sources through tsx; the engine's \`bundler.bundle\` in this process (\`bundleOffThread\`: KDF jobs on a worker thread), trust data \`current\`
- Each row: one request of the largest allowed size (8 files of 1 MiB, the caps of input/README.md), ${runs} runs; wall time of the call, median and max; the longest event-loop stall of this process during the runs (the longest late tick of a 5 ms interval): how long another call to the engine could have waited. Limits in force: 2,000 objects a file, 2,000 certificates and 100 keys a request, 50 listed problems a file, 12,000,000 KDF rounds and 10 s of decryption a request, the chain search's 2,000 signature checks and 1 s.

| input | shape | wall ms (median) | wall ms (max) | longest event-loop stall ms | answer |
|---|---|---:|---:|---:|---|
${rows.join('\n')}
`;
if (options.results) writeSection(resultsFile, 'bundler-bounds', section);
console.log(section);
