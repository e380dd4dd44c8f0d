// Certificates whose fields are corrupted behind a valid signature (issue 22 item 9): a malformed
// directoryName, name constraint, date or name is the upload's fault, so it comes back coded (a
// problem, or E_BUNDLER_<cfssl code>) with the file named, never as a raw DerError or E_INTERNAL,
// through the engine and through `signalbox bundle` (dist/: `npm run build` first).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { bundleResult } from '../../../engine/api/bundler.ts';
import { ApiError } from '../../../engine/api/errors.ts';
import { bundlerEngine } from '../../../engine/bundler/engine.ts';
import { quietLog, tempDir } from '../../helpers/host.ts';
import { bin } from '../../helpers/serve-process.ts';
import { ext, makeCert, name, newKey, oid, SERVER_AUTH, seq, tlv, type CertSpec } from './chain/certs.ts';
import { ourTrustDir } from './trust-dir.ts';

const rootKey = newKey();
const intKey = newKey();
const root = makeCert({ subject: 'Fields Root', key: rootKey, ca: true, keyUsage: ['keyCertSign', 'cRLSign'] });
const nameConstraints = (dirName: Buffer) =>
  ext(
    '2.5.29.30',
    true,
    seq(
      tlv(
        0xa0,
        seq(tlv(0x82, Buffer.from('example.com'))),
        seq(tlv(0xa4, dirName)),
        seq(tlv(0x87, Buffer.of(10, 0, 0, 0, 255, 0, 0, 0))),
        seq(tlv(0x81, Buffer.from('example.com'))),
      ),
    ),
  );
const intSpec = (dirName = name('Fields')): CertSpec => ({
  subject: 'Fields Intermediate',
  key: intKey,
  ca: true,
  keyUsage: ['keyCertSign', 'cRLSign'],
  issuer: root,
  extraExtensions: [nameConstraints(dirName), ext('2.5.29.32', false, seq(seq(oid('2.23.140.1.2.1'))))],
});
const intermediate = makeCert(intSpec());
const subjectAltName = (dirName: Buffer) =>
  ext(
    '2.5.29.17',
    false,
    seq(
      tlv(0x82, Buffer.from('www.example.com')),
      tlv(0xa4, dirName),
      tlv(0x87, Buffer.of(10, 1, 2, 3)),
      tlv(0x81, Buffer.from('a@example.com')),
      tlv(0x86, Buffer.from('https://www.example.com/')),
    ),
  );
const leafSpec = (dirName = name('Fields')): CertSpec => ({
  subject: 'www.example.com',
  ca: false,
  keyUsage: ['digitalSignature'],
  eku: [SERVER_AUTH],
  issuer: intermediate,
  ocsp: 'http://ocsp.example',
  caIssuers: 'http://ca.example/i.crt',
  extraExtensions: [subjectAltName(dirName)],
});
const leaf = makeCert(leafSpec());
// A Name whose RDN declares more bytes than it holds: OpenSSL does not look inside extensions, so it loads.
const brokenName = Buffer.from('300b3109300706035504030c4646', 'hex');
const trust = ourTrustDir([{ name: 'Fields Platform', weight: 1, roots: [root.cert] }]);
const at = '2025-01-01T00:00:00Z';

/** `tbs` with `count` bytes changed at seeded positions (after the version), to be signed as it is. */
function mutator(seed: number, count: number): (tbs: Buffer) => Buffer {
  let state = seed;
  const next = () => (state = (state * 1103515245 + 12345) & 0x7fffffff);
  const values = [0x00, 0xff, 0x80, 0x30, 0x31, 0x13, 0x0c, 0x1e, 0x17, 0x18, 0x5a, 0x39];
  return (tbs) => {
    const out = Buffer.from(tbs);
    for (let i = 0; i < count; i++) out[12 + (next() % (out.length - 12))] = next() % 4 === 0 ? next() & 0xff : values[next() % values.length]!;
    return out;
  };
}

type Outcome = { kind: 'result'; codes: number[] } | { kind: 'refused'; code: string; message: string };

describe('bundle: corrupted certificate fields give coded errors', async () => {
  const engine = await bundlerEngine.start({ config: { enabled: true, trust }, dataDir: tempDir('bundler-fields'), log: quietLog });
  const pemFile = (fileName: string, pem: string) => ({ name: fileName, base64: Buffer.from(pem).toString('base64') });

  /** The engine's answer for these files; anything but a valid result or an E_BUNDLER_ ApiError fails. */
  async function outcome(files: { name: string; base64: string }[], flavor: 'ubiquitous' | 'force' = 'ubiquitous'): Promise<Outcome> {
    try {
      const result = await engine.procedures['bundler.bundle']!({ files, at, flavor, domain: 'www.example.com' });
      assert.equal(bundleResult.safeParse(result).success, true, 'the result fits the contract');
      for (const p of result.problems) {
        assert.ok(Number.isInteger(p.code) && p.code > 0, `coded: ${JSON.stringify(p)}`);
        if (p.source !== 'chain') assert.ok(p.message.startsWith(p.source.replace(/#\d+$/, '')), `names its file: ${p.message}`);
      }
      return { kind: 'result', codes: result.problems.map((p) => p.code) };
    } catch (err) {
      assert.ok(err instanceof ApiError, `an ApiError, not ${(err as Error).stack}`);
      assert.match(err.code, /^E_BUNDLER_\d+$/);
      return { kind: 'refused', code: err.code, message: err.message };
    }
  }

  it('a leaf whose SAN directoryName is malformed, under name constraints: no chain, the encoding named, not a DerError', async () => {
    const bad = makeCert(leafSpec(brokenName));
    const result = await outcome([pemFile('leaf.pem', bad.cert.pem), pemFile('int.pem', intermediate.cert.pem)]);
    assert.equal(result.kind, 'result');
    const answer = await engine.procedures['bundler.bundle']!({ files: [pemFile('leaf.pem', bad.cert.pem), pemFile('int.pem', intermediate.cert.pem)], at });
    assert.equal(answer.chains.length, 0);
    assert.ok(
      answer.problems.some((p) => /malformed extension 2\.5\.29\.17/.test(p.message)),
      JSON.stringify(answer.problems),
    );
  });

  it('an intermediate whose directoryName constraint is malformed: no chain, coded', async () => {
    const bad = makeCert(intSpec(brokenName));
    const answer = await engine.procedures['bundler.bundle']!({ files: [pemFile('leaf.pem', leaf.cert.pem), pemFile('int.pem', bad.cert.pem)], at });
    assert.equal(answer.chains.length, 0);
    assert.ok(
      answer.problems.some((p) => /malformed extension 2\.5\.29\.30/.test(p.message)),
      JSON.stringify(answer.problems),
    );
  });

  it('a notAfter that is not a time, and a subject name with an odd-length BMPString: coded', async () => {
    const badDate = makeCert({ ...leafSpec(), mutateTbs: (tbs) => Buffer.from(tbs.toString('latin1').replace('340101000000Z', '34010100000xZ'), 'latin1') });
    const dates = await outcome([pemFile('date.pem', badDate.cert.pem), pemFile('int.pem', intermediate.cert.pem)]);
    assert.equal(dates.kind, 'result');
    const cn = Buffer.from('www.example.com');
    const badName = makeCert({
      ...leafSpec(),
      mutateTbs: (tbs) => {
        const at = tbs.lastIndexOf(Buffer.concat([Buffer.of(0x0c, cn.length), cn]));
        const out = Buffer.from(tbs);
        out[at] = 0x1e;
        return out;
      },
    });
    assert.equal((await outcome([pemFile('name.pem', badName.cert.pem), pemFile('int.pem', intermediate.cert.pem)])).kind, 'result');
  });

  it('600 seeded corruptions of the leaf and the intermediate, re-signed: every answer coded, never E_INTERNAL', async () => {
    const seen = new Map<string, number>();
    for (let n = 0; n < 600; n++) {
      const target = n % 2 === 0 ? 'leaf' : 'intermediate';
      let bad;
      try {
        bad = makeCert({ ...(target === 'leaf' ? leafSpec() : intSpec()), mutateTbs: mutator(n + 1, 1 + (n % 3)) });
      } catch {
        continue; // not a certificate at all: refused up front as 1003, tested elsewhere
      }
      const files =
        target === 'leaf'
          ? [pemFile('bad-leaf.pem', bad.cert.pem), pemFile('int.pem', intermediate.cert.pem)]
          : [pemFile('leaf.pem', leaf.cert.pem), pemFile('bad-int.pem', bad.cert.pem)];
      const result = await outcome(files, n % 4 < 2 ? 'ubiquitous' : 'force');
      const key = result.kind === 'refused' ? result.code : 'result';
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    assert.ok((seen.get('result') ?? 0) > 300, JSON.stringify([...seen]));
  });

  it('signalbox bundle: a malformed directoryName gives coded problem lines and exit 1, no stack trace', () => {
    const dir = tempDir('bundler-fields-cli');
    const file = join(dir, 'chain.pem');
    writeFileSync(file, makeCert(leafSpec(brokenName)).cert.pem + intermediate.cert.pem);
    // The timeout is a hang guard only, generous for a loaded machine (the run takes about a second).
    const result = spawnSync(process.execPath, [bin, 'bundle', file, '--at', at, '--trust', trust], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stderr, /malformed extension 2\.5\.29\.17/);
    assert.doesNotMatch(result.stderr, /DerError|\n\s+at /);
  });
});
