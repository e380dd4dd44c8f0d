// Every input problem with its code (cfssl's where cfssl has one), on files made by openssl.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { WorkBudget } from '../../../../engine/bundler/input/budget.ts';
import { readUploads, type InputProblem, type Upload } from '../../../../engine/bundler/input/index.ts';
import { runKdfJob } from '../../../../engine/bundler/input/objects.ts';
import { assemble, splitUploads } from '../../../../engine/bundler/input/read.ts';
import { fixtures, password, type Fixtures } from './openssl-fixtures.ts';

let fx: Fixtures;
const upload = (name: string, extra: { password?: string } = {}): Upload => ({ name, bytes: fx.read(name), ...extra });
const codes = (problems: InputProblem[]) => problems.map((p) => [p.code, p.name, p.source]);
const only = (uploads: Upload[]) => {
  const result = readUploads(uploads);
  assert.equal(result.problems.length, 1, JSON.stringify(result.problems));
  return result.problems[0]!;
};

describe('bundler input: problems and their codes (openssl)', { timeout: 60_000 }, () => {
  before(() => {
    fx = fixtures();
  });

  it('1002 for garbage bytes, junk text and an empty file', () => {
    const noise = randomBytes(4096);
    noise[0] = 0x42;
    assert.deepEqual(
      codes(
        readUploads([
          { name: 'noise.bin', bytes: noise },
          { name: 'notes.txt', bytes: 'this is my certificate, I think\n' },
          { name: 'empty.pem', bytes: new Uint8Array(0) },
        ]).problems,
      ),
      [
        [1002, 'E_INPUT_DECODE', 'noise.bin'],
        [1002, 'E_INPUT_DECODE', 'notes.txt'],
        [1002, 'E_INPUT_DECODE', 'empty.pem'],
      ],
    );
  });

  it('1003 for a certificate-shaped DER whose inside is broken', () => {
    const broken = Buffer.from(fx.der.leaf!);
    // Inside the TBSCertificate: the serial's INTEGER tag becomes a BOOLEAN; all lengths stay intact.
    const tbsStart = 4;
    const afterVersion = tbsStart + 4 + 5;
    assert.equal(broken[afterVersion], 0x02);
    broken[afterVersion] = 0x01;
    const p = only([{ name: 'broken.der', bytes: broken }]);
    assert.deepEqual([p.code, p.name, p.source], [1003, 'E_INPUT_PARSE', 'broken.der#1']);
  });

  it('1010 for a DER cut short and for a PEM block without its END line', () => {
    const cut = fx.der.leaf!.subarray(0, 300);
    const p = only([{ name: 'cut.der', bytes: cut }]);
    assert.deepEqual([p.code, p.name, p.source], [1010, 'E_INPUT_TRUNCATED', 'cut.der#1']);
    const pem = fx.read('leaf.pem').toString();
    const half = fx.read('int.pem').toString() + pem.slice(0, pem.length / 2);
    const result = readUploads([{ name: 'half.pem', bytes: half }]);
    assert.equal(result.certificates.length, 1, 'the complete block before it is still read');
    assert.deepEqual(codes(result.problems), [[1010, 'E_INPUT_TRUNCATED', 'half.pem#2']]);
  });

  it('1010 for a PKCS#12 file cut short', () => {
    const p12 = fx.read('modern.p12');
    const p = only([{ name: 'cut.p12', bytes: p12.subarray(0, p12.length - 40), password }]);
    assert.deepEqual([p.code, p.name], [1010, 'E_INPUT_TRUNCATED']);
  });

  it('1011 for an upload over 1 MiB and for uploads that together pass the total cap; the rest is read', () => {
    const big = Buffer.alloc(1024 * 1024 + 1, 0x41);
    const result = readUploads([{ name: 'huge.pem', bytes: big }, upload('leaf.der')]);
    assert.deepEqual(codes(result.problems), [[1011, 'E_INPUT_TOO_LARGE', 'huge.pem']]);
    assert.equal(result.certificates.length, 1);
    const capped = readUploads([upload('leaf.der'), upload('int.der'), upload('ca.der')], { maxTotalBytes: fx.der.leaf!.length + fx.der.int!.length });
    assert.deepEqual(codes(capped.problems), [[1011, 'E_INPUT_TOO_LARGE', 'ca.der']]);
    assert.equal(capped.certificates.length, 2);
    assert.match(capped.problems[0]!.message, /together/);
  });

  it('1012 for a CSR (PEM and DER) and a public key, saying what they are', () => {
    const result = readUploads([upload('leaf.csr'), upload('leaf.csr.der'), upload('leaf.pub.pem')]);
    assert.deepEqual(codes(result.problems), [
      [1012, 'E_INPUT_UNSUPPORTED', 'leaf.csr#1'],
      [1012, 'E_INPUT_UNSUPPORTED', 'leaf.csr.der#1'],
      [1012, 'E_INPUT_UNSUPPORTED', 'leaf.pub.pem#1'],
    ]);
    assert.match(result.problems[0]!.message, /signing request/);
    assert.match(result.problems[2]!.message, /public key/);
  });

  it('1020 for a PKCS#12 without a password and 1021 for a wrong one, while other files are read', () => {
    const result = readUploads([upload('modern.p12'), upload('legacy.pfx', { password: 'Tr0ub4dor&3' }), upload('bundle.pem')]);
    assert.deepEqual(codes(result.problems), [
      [1020, 'E_INPUT_PASSWORD_REQUIRED', 'modern.p12'],
      [1021, 'E_INPUT_WRONG_PASSWORD', 'legacy.pfx'],
    ]);
    assert.equal(result.certificates.length, 3);
    assert.ok(!JSON.stringify(result.problems).includes('Tr0ub4dor'), 'the password is not echoed');
  });

  // Every KDF is charged to the request's WorkBudget before it runs, so a budget with nothing used
  // after the read means no KDF ran: the same claim as a stopwatch, without one (a busy machine
  // cannot fail it, a KDF that ran cannot pass it).
  it('1012 for a PKCS#12 whose KDF rounds pass the cap, answered without running them', () => {
    const read = (u: Upload) => {
      const split = splitUploads([u]);
      const budget = new WorkBudget(split.limits.maxKdfWork);
      const result = assemble(
        split,
        split.jobs.map((job) => runKdfJob(job, budget)),
      );
      return { result, kdfWork: budget.used };
    };
    const slow = read(upload('slow.p12', { password }));
    assert.equal(slow.result.problems.length, 1, JSON.stringify(slow.result.problems));
    const p = slow.result.problems[0]!;
    assert.deepEqual([p.code, p.name, p.source], [1012, 'E_INPUT_UNSUPPORTED', 'slow.p12']);
    assert.match(p.message, /150000 PKCS#12 KDF iterations/);
    assert.equal(slow.kdfWork, 0, 'KDF work was done for a file refused for its rounds');
    // The counter counts: the same reading of a PKCS#12 within the cap does KDF work.
    const modern = read(upload('modern.p12', { password }));
    assert.deepEqual(modern.result.problems, []);
    assert.ok(modern.kdfWork > 0);
  });

  it('2100 for an encrypted key without a password and 2101 with a wrong one', () => {
    const result = readUploads([
      upload('leaf.enc.pem'),
      upload('leaf.enc.der'),
      upload('leaf.legacy-enc.pem'),
      upload('leaf.enc.pem', { password: 'nope' }),
      upload('leaf.legacy-enc.pem', { password: 'nope' }),
    ]);
    assert.deepEqual(codes(result.problems), [
      [2100, 'E_KEY_ENCRYPTED', 'leaf.enc.pem#1'],
      [2100, 'E_KEY_ENCRYPTED', 'leaf.enc.der#1'],
      [2100, 'E_KEY_ENCRYPTED', 'leaf.legacy-enc.pem#1'],
      [2101, 'E_KEY_WRONG_PASSWORD', 'leaf.enc.pem#1'],
      [2101, 'E_KEY_WRONG_PASSWORD', 'leaf.legacy-enc.pem#1'],
    ]);
  });

  it('2002 for a key block that is not base64 and 2003 for one that is no key', () => {
    const result = readUploads([
      { name: 'bad64.key', bytes: '-----BEGIN PRIVATE KEY-----\n!!not base64!!\n-----END PRIVATE KEY-----\n' },
      { name: 'nokey.key', bytes: `-----BEGIN RSA PRIVATE KEY-----\n${Buffer.from('3003020100', 'hex').toString('base64')}\n-----END RSA PRIVATE KEY-----\n` },
    ]);
    assert.deepEqual(
      codes(result.problems).map(([code, name]) => [code, name]),
      [
        [2002, 'E_KEY_DECODE'],
        [2003, 'E_KEY_PARSE'],
      ],
    );
    const mislabelled = readUploads([{ name: 'pkcs8.der', bytes: Buffer.from('3010020100300506032b6570040400000000', 'hex') }]);
    assert.deepEqual(
      codes(mislabelled.problems).map(([code, name]) => [code, name]),
      [[2003, 'E_KEY_PARSE']],
    );
  });

  it('2200 for DSA, secp256k1 and OpenSSH keys', () => {
    const result = readUploads([
      upload('dsa.key'),
      upload('secp256k1.key'),
      { name: 'id_ed25519', bytes: '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n' },
    ]);
    assert.deepEqual(codes(result.problems), [
      [2200, 'E_KEY_UNSUPPORTED', 'dsa.key#1'],
      [2200, 'E_KEY_UNSUPPORTED', 'secp256k1.key#1'],
      [2200, 'E_KEY_UNSUPPORTED', 'id_ed25519#1'],
    ]);
    assert.match(result.problems[1]!.message, /secp256k1/);
  });

  it('reports each bad block of a PEM file and still reads the good ones', () => {
    const mixed = [
      fx.read('leaf.pem').toString(),
      '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n',
      fx.read('leaf.csr').toString(),
      fx.read('ec-leaf.sec1.pem').toString(),
      fx.read('ca.pem').toString(),
    ].join('\n');
    const result = readUploads([{ name: 'mixed.pem', bytes: mixed }]);
    assert.deepEqual(
      result.certificates.map((c) => c.source),
      ['mixed.pem#1', 'mixed.pem#5'],
    );
    assert.deepEqual(
      result.keys.map((k) => k.source),
      ['mixed.pem#4'],
    );
    assert.deepEqual(
      codes(result.problems).map(([code, , source]) => [code, source]),
      [
        [1002, 'mixed.pem#2'],
        [1012, 'mixed.pem#3'],
      ],
    );
  });

  it('never throws, whatever the bytes', () => {
    // A seeded generator, so that a failure can be replayed.
    let state = 0x2545f491;
    const random = () => {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return (state >>> 0) / 2 ** 32;
    };
    const seeds = [fx.der.leaf!, fx.read('modern.p12'), fx.read('legacy.pfx'), fx.read('chain.p7c'), fx.read('leaf.pkcs8.der')];
    for (const seed of seeds) {
      for (let i = 0; i < 100; i++) {
        const mutated = Buffer.from(seed);
        for (let j = 0; j < 3; j++) mutated[Math.floor(random() * mutated.length)] = Math.floor(random() * 256);
        const result = readUploads([{ name: 'fuzz', bytes: mutated, password }]);
        for (const p of result.problems) assert.ok(p.code >= 1000 && p.code < 3000 && p.message.length > 0);
      }
    }
  });
});
