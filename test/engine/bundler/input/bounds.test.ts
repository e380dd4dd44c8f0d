// The work one upload can make the bundler do (issue 22 item 6): KDF rounds capped per key and
// bounded per request, decryption on a worker thread under a clock, a PEM scan linear in the text,
// and the objects, keys and problems of one request bounded. Keys at the cap are made by openssl.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readUploads, readUploadsOffThread, type InputProblem } from '../../../../engine/bundler/input/index.ts';
import { findPemBlocks } from '../../../../engine/bundler/input/pem.ts';
import { WorkBudget } from '../../../../engine/bundler/input/budget.ts';
import { runKdfJob } from '../../../../engine/bundler/input/objects.ts';
import { assemble, splitUploads } from '../../../../engine/bundler/input/read.ts';
import { tempDir } from '../../../helpers/host.ts';
import { int, octet, oid, seq, simpleChain, tlv } from '../chain/certs.ts';

const PBES2 = '1.2.840.113549.1.5.13';
const PBKDF2 = '1.2.840.113549.1.5.12';
const SCRYPT = '1.3.6.1.4.1.11591.4.11';
const HMAC_SHA256 = '1.2.840.113549.2.9';
const AES256_CBC = '2.16.840.1.101.3.4.1.42';
const PKCS12_3DES = '1.2.840.113549.1.12.1.3';

/** An EncryptedPrivateKeyInfo (RFC 5958) under `algorithm`, with random ciphertext: only its KDF cost matters. */
function encryptedKeyInfo(algorithm: Buffer): Buffer {
  return seq(algorithm, octet(randomBytes(48)));
}
const pbkdf2 = (iterations: number) =>
  seq(
    oid(PBES2),
    seq(seq(oid(PBKDF2), seq(octet(randomBytes(8)), int(iterations), seq(oid(HMAC_SHA256), tlv(0x05)))), seq(oid(AES256_CBC), octet(randomBytes(16)))),
  );
const scrypt = (N: number, r: number, p: number) =>
  seq(oid(PBES2), seq(seq(oid(SCRYPT), seq(octet(randomBytes(8)), int(N), int(r), int(p))), seq(oid(AES256_CBC), octet(randomBytes(16)))));
const pkcs12Pbe = (iterations: number) => seq(oid(PKCS12_3DES), seq(octet(randomBytes(8)), int(iterations)));

const pem = (label: string, der: Buffer) => `-----BEGIN ${label}-----\n${der.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END ${label}-----\n`;
const codes = (problems: InputProblem[]) => problems.map((p) => [p.code, p.source]);

/** A P-256 key encrypted by openssl with PBKDF2-HMAC-SHA-256 at `iterations` and AES-256-CBC (password "pw"). */
const opensslKey = (iterations: number): string => madeKeys.get(iterations) ?? madeKeys.set(iterations, encryptWithOpenssl(iterations, 'pw')).get(iterations)!;
const madeKeys = new Map<number, string>();

function encryptWithOpenssl(iterations: number, password: string): string {
  const plain = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' });
  return execFileSync(
    'openssl',
    ['pkcs8', '-topk8', '-v2', 'aes-256-cbc', '-v2prf', 'hmacWithSHA256', '-iter', String(iterations), '-passout', `pass:${password}`],
    { input: plain, encoding: 'utf8' },
  );
}

/** A PKCS#12 file (openssl) whose MAC is one round and whose contents are PBES2 at 2,048 rounds. */
function pkcs12WithCheapMac(): Buffer {
  const dir = tempDir('bounds-p12');
  const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' });
  writeFileSync(join(dir, 'k.pem'), key);
  execFileSync('openssl', ['req', '-x509', '-new', '-key', 'k.pem', '-subj', '/CN=p12.example', '-days', '30', '-out', 'c.pem'], { cwd: dir, stdio: 'ignore' });
  execFileSync('openssl', ['pkcs12', '-export', '-in', 'c.pem', '-inkey', 'k.pem', '-nomaciter', '-passout', 'pass:pw', '-out', 'p.p12'], {
    cwd: dir,
    stdio: 'ignore',
  });
  const bytes = readFileSync(join(dir, 'p.p12'));
  rmSync(dir, { recursive: true, force: true });
  return bytes;
}

describe('bundler input bounds: KDF rounds', () => {
  it('refuses 2^31-1 PBKDF2 iterations at once, in PEM and DER, naming the file and the cap (2200)', () => {
    const key = encryptedKeyInfo(pbkdf2(2 ** 31 - 1));
    // Every KDF is charged to the request's WorkBudget before it runs: nothing used means none ran
    // (2^31 rounds would run for minutes), the claim a stopwatch made, without one.
    const split = splitUploads([
      { name: 'bomb.key', bytes: pem('ENCRYPTED PRIVATE KEY', key), password: 'x' },
      { name: 'bomb.der', bytes: key, password: 'x' },
    ]);
    const budget = new WorkBudget(split.limits.maxKdfWork);
    const result = assemble(
      split,
      split.jobs.map((job) => runKdfJob(job, budget)),
    );
    assert.equal(budget.used, 0, 'KDF work was done for keys refused for their rounds');
    assert.deepEqual(codes(result.problems), [
      [2200, 'bomb.key#1'],
      [2200, 'bomb.der#1'],
    ]);
    for (const p of result.problems) assert.match(p.message, /^bomb\.(key|der): .*2147483647 PBKDF2 iterations \(more than 2,000,000 are refused\)/);
  });

  it('refuses scrypt over its cost cap and PKCS#12 PBE over its round cap in an encrypted key', () => {
    const result = readUploads([
      { name: 'scrypt.key', bytes: pem('ENCRYPTED PRIVATE KEY', encryptedKeyInfo(scrypt(2 ** 20, 8, 1))), password: 'x' },
      { name: 'p12pbe.key', bytes: pem('ENCRYPTED PRIVATE KEY', encryptedKeyInfo(pkcs12Pbe(2 ** 31 - 1))), password: 'x' },
    ]);
    assert.deepEqual(codes(result.problems), [
      [2200, 'scrypt.key#1'],
      [2200, 'p12pbe.key#1'],
    ]);
    assert.match(result.problems[0]!.message, /scrypt with N 1048576, r 8, p 1 \(N·r over 262,144/);
    assert.match(result.problems[1]!.message, /2147483647 PKCS#12 KDF iterations \(more than 100,000 are refused\)/);
  });

  it("still decrypts a key at the cap (2,000,000 PBKDF2 rounds, made by openssl) and an scrypt key at OpenSSL's default", () => {
    const atCap = opensslKey(2_000_000);
    const plain = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' });
    const scryptKey = execFileSync('openssl', ['pkcs8', '-topk8', '-scrypt', '-passout', 'pass:pw'], { input: plain, encoding: 'utf8' });
    const result = readUploads([
      { name: 'cap.key', bytes: atCap, password: 'pw' },
      { name: 'scrypt.key', bytes: scryptKey, password: 'pw' },
    ]);
    assert.deepEqual(result.problems, []);
    assert.deepEqual(
      result.keys.map((k) => [k.type, k.source]),
      [
        ['ec', 'cap.key#1'],
        ['ec', 'scrypt.key#1'],
      ],
    );
  });

  it("bounds 20 encrypted keys at the cap in one file by the request's KDF budget: 5 decrypt, 15 refused (1013)", () => {
    const key = opensslKey(2_000_000);
    const result = readUploads([{ name: 'twenty.pem', bytes: key.repeat(20), password: 'pw' }]);
    // 12,000,000 allowed, 2,000,000 rounds + 20,000 for the decryption each: the same key decrypted
    // five times (four are duplicates).
    assert.equal(result.keys.length, 1);
    assert.equal(result.duplicates.length, 4);
    assert.equal(result.problems.length, 15);
    for (const p of result.problems) {
      assert.equal(p.code, 1013);
      assert.match(
        p.message,
        /^twenty\.pem: the private key was not decrypted: .* limited to 12,000,000 KDF rounds \(10,100,000 used, this one needs 2,020,000\)/,
      );
    }
    assert.deepEqual(
      result.problems.map((p) => p.source),
      Array.from({ length: 15 }, (_, i) => `twenty.pem#${i + 6}`),
    );
  });

  it('prices every decryption, so 1,000 PKCS#12 files with a 1-round MAC cannot pass as free (600 at most)', () => {
    const p12 = pkcs12WithCheapMac();
    const result = readUploads([{ name: 'many.p12', bytes: Buffer.concat(Array.from({ length: 1_000 }, () => p12)), password: 'pw' }]);
    // Each file: its MAC, its certificates and its key, three decryptions of at least 20,000 each.
    const read = (result.certificates.length + result.keys.length + result.duplicates.length) / 2;
    assert.ok(read >= 100 && read <= 12_000_000 / 60_000, `${read} files read`);
    assert.equal(result.problems.length, 51);
    assert.ok(result.problems.every((p) => p.code === 1013 && p.source === 'many.p12'));
    assert.match(result.problems.at(-1)!.message, new RegExp(`^many\\.p12: ${1_000 - read - 50} more problems in this file are not listed`));
  });
});

describe('bundler input bounds: decryption off the event loop', () => {
  it('stops a decryption that passes the clock and says which file and which limit (1013)', async () => {
    const key = opensslKey(2_000_000);
    const result = await readUploadsOffThread(
      [
        { name: 'slow.key', bytes: key, password: 'pw' },
        { name: 'next.key', bytes: key, password: 'pw' },
      ],
      { kdfTimeoutMs: 50 },
    );
    assert.deepEqual(codes(result.problems), [
      [1013, 'slow.key#1'],
      [1013, 'next.key#1'],
    ]);
    assert.match(
      result.problems[0]!.message,
      /^slow\.key: the private key was not read: its password-based decryption took longer than the 0\.05 s one request may take/,
    );
    assert.match(result.problems[1]!.message, /used up by the objects before it/);
  });

  it('reads the same keys, certificates and problems as readUploads', async () => {
    const key = opensslKey(2048);
    const uploads = [
      { name: 'a.key', bytes: key, password: 'pw' },
      { name: 'b.key', bytes: key },
      { name: 'junk.txt', bytes: 'hello' },
    ];
    const here = readUploads(uploads);
    const there = await readUploadsOffThread(uploads);
    assert.deepEqual(there.problems, here.problems);
    assert.deepEqual(
      there.keys.map((k) => [k.spkiSha256, k.source]),
      here.keys.map((k) => [k.spkiSha256, k.source]),
    );
    assert.equal(there.keys[0]!.key.asymmetricKeyType, 'ec');
  });
});

describe('bundler input bounds: PEM scan and object counts', () => {
  const beginLines = (bytes: number) => '-----BEGIN CERTIFICATE-----\n'.repeat(Math.floor(bytes / 28));

  it('splits 8 MiB of BEGIN lines without END (300,000 blocks) in linear work: twice the text, twice the scan', () => {
    // The old scan looked for END to the end of the text from every BEGIN: 1 MiB (37,000 lines) took
    // 5-16 s, 8 MiB would take hours. The scan counts the characters it searches (no clock): linear,
    // each character is searched at most twice (for the next BEGIN, then for END in its segment).
    const scan = (bytes: number) => {
      const work = { scanned: 0 };
      const text = beginLines(bytes);
      const blocks = findPemBlocks(text, work);
      return { text, blocks, scanned: work.scanned };
    };
    const big = scan(8 * 1024 * 1024);
    assert.equal(big.blocks.length, 299_593);
    assert.ok(big.blocks.every((b) => !b.complete));
    assert.ok(big.scanned <= 2 * big.text.length, `${big.scanned} characters searched in a text of ${big.text.length}`);
    const half = scan(4 * 1024 * 1024);
    const ratio = big.scanned / half.scanned;
    assert.ok(ratio > 1.9 && ratio < 2.1, `doubling the text multiplied the scan by ${ratio}`);
  });

  it('reads a maximal upload (8 files of 1 MiB of BEGIN lines), listing 50 problems a file and a count', () => {
    const file = beginLines(1024 * 1024);
    const started = performance.now();
    const result = readUploads(Array.from({ length: 8 }, (_, i) => ({ name: `begin${i}.pem`, bytes: file })));
    // A hang guard only, generous for a loaded machine (the old quadratic scan took minutes here);
    // the scan's linearity is checked by its counter above.
    assert.ok(performance.now() - started < 60_000, `took ${Math.round(performance.now() - started)} ms`);
    assert.equal(result.problems.length, 8 * 51);
    const last = result.problems.slice(0, 51).at(-1)!;
    assert.deepEqual([last.code, last.source], [1013, 'begin0.pem']);
    assert.match(last.message, /^begin0\.pem: 1951 more problems in this file are not listed \(the first 50 are\)/);
  });

  it('reads at most 2,000 objects of one file and says so (1013)', () => {
    const result = readUploads([{ name: 'many.der', bytes: Buffer.alloc(2 * 5_000, Buffer.of(0x30, 0x00)) }], { maxProblemsPerFile: 10_000 });
    assert.equal(result.problems.length, 2_001);
    assert.deepEqual(codes([result.problems.at(-1)!]), [[1013, 'many.der']]);
    assert.match(result.problems.at(-1)!.message, /only the first 2,000 objects .* of one file are read/);
  });

  it('reads at most maxCertificates certificates in one request (1013 for the rest)', () => {
    const { root, intermediate, leaf } = simpleChain();
    const result = readUploads([{ name: 'chain.pem', bytes: leaf.cert.pem + intermediate.cert.pem + root.cert.pem }], { maxCertificates: 2 });
    assert.equal(result.certificates.length, 2);
    assert.deepEqual(codes(result.problems), [[1013, 'chain.pem#3']]);
    assert.match(result.problems[0]!.message, /more than 2 certificates in one request/);
  });

  it('reads at most maxKeys private keys in one request (1013 for the rest)', () => {
    const keys = Array.from({ length: 3 }, () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' })).join(
      '',
    );
    const result = readUploads([{ name: 'keys.pem', bytes: keys }], { maxKeys: 2 });
    assert.equal(result.keys.length, 2);
    assert.deepEqual(codes(result.problems), [[1013, 'keys.pem#3']]);
    assert.match(result.problems[0]!.message, /more than 2 private keys in one request/);
  });
});
