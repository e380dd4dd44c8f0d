// readUploads on every format, each file made by openssl (see openssl-fixtures.ts).
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { children, readTlv } from '../../../../engine/bundler/der.ts';
import { readUploads, type InputResult } from '../../../../engine/bundler/input/index.ts';
import { fixtures, password, type Fixtures } from './openssl-fixtures.ts';

let fx: Fixtures;
const upload = (name: string, extra: { password?: string } = {}) => ({ name, bytes: fx.read(name), ...extra });
const sources = (result: InputResult) => result.certificates.map((c) => c.source);
const ders = (result: InputResult) => result.certificates.map((c) => c.der);

/** Re-writes the outer `levels` of constructed elements with BER indefinite lengths, as Windows and Java tools may. */
function indefinite(der: Buffer, levels: number): Buffer {
  const top = readTlv(der);
  if (levels === 0 || !top.constructed) return der;
  const parts = children(der, top).map((child) => indefinite(der.subarray(child.start, child.end), levels - 1));
  return Buffer.concat([Buffer.from([der[0]!, 0x80]), ...parts, Buffer.from([0, 0])]);
}

describe('bundler input: formats (openssl)', { timeout: 60_000 }, () => {
  before(() => {
    fx = fixtures();
  });

  it('reads a PEM bundle in any order with notes between the blocks, keeping the file order', () => {
    const result = readUploads([upload('bundle.pem')]);
    assert.deepEqual(result.problems, []);
    assert.deepEqual(sources(result), ['bundle.pem#1', 'bundle.pem#2', 'bundle.pem#3']);
    assert.deepEqual(ders(result), [fx.der.int, fx.der.leaf, fx.der.ca]);
  });

  it('reads a DER certificate and gives its SHA-256', () => {
    const result = readUploads([upload('leaf.der')]);
    assert.deepEqual(ders(result), [fx.der.leaf]);
    assert.match(result.certificates[0]!.sha256, /^[0-9a-f]{64}$/);
  });

  it('reads PKCS#7 certs-only bundles from crl2pkcs7, PEM and DER', () => {
    for (const name of ['chain.p7b', 'chain.p7c']) {
      const result = readUploads([upload(name)]);
      assert.deepEqual(result.problems, [], name);
      assert.deepEqual(new Set(ders(result)), new Set([fx.der.int, fx.der.leaf, fx.der.ca]), name);
    }
  });

  it('opens an OpenSSL 3 PKCS#12 (PBES2, AES-256, SHA-256 MAC) with its password: the exact certificates and the key', () => {
    const result = readUploads([upload('modern.p12', { password })]);
    assert.deepEqual(result.problems, []);
    assert.deepEqual(new Set(ders(result)), new Set([fx.der.leaf, fx.der.int, fx.der.ca]));
    assert.equal(result.keys.length, 1);
    assert.deepEqual({ type: result.keys[0]!.type, bits: result.keys[0]!.bits }, { type: 'rsa', bits: 2048 });
  });

  it('opens a legacy PKCS#12 (RC2-40 and 3DES, SHA-1 MAC) as older tools write it', () => {
    const result = readUploads([upload('legacy.pfx', { password })]);
    assert.deepEqual(result.problems, []);
    assert.deepEqual(new Set(ders(result)), new Set([fx.der.leaf, fx.der.int, fx.der.ca]));
    assert.equal(result.keys[0]?.type, 'rsa');
  });

  it('reads PKCS#7 and PKCS#12 written with BER indefinite lengths', () => {
    const p7 = readUploads([{ name: 'ber.p7b', bytes: indefinite(fx.read('chain.p7c'), 3) }]);
    assert.deepEqual(p7.problems, []);
    assert.equal(p7.certificates.length, 3);
    const p12 = readUploads([{ name: 'ber.p12', bytes: indefinite(fx.read('modern.p12'), 3), password }]);
    assert.deepEqual(p12.problems, []);
    assert.deepEqual([p12.certificates.length, p12.keys.length], [3, 1]);
  });

  it('opens a PKCS#12 exported with an empty password without asking for one', () => {
    const result = readUploads([upload('ec-empty.p12')]);
    assert.deepEqual(result.problems, []);
    assert.deepEqual(ders(result), [fx.der['ec-leaf']]);
    assert.deepEqual({ type: result.keys[0]!.type, bits: result.keys[0]!.bits, curve: result.keys[0]!.curve }, { type: 'ec', bits: 256, curve: 'P-256' });
  });

  it('reads private keys as PKCS#8, PKCS#1 and SEC1, in PEM and DER, and encrypted ones with the password', () => {
    const plain = [
      'leaf.key',
      'leaf.pkcs8.der',
      'leaf.pkcs1.pem',
      'leaf.pkcs1.der',
      'ec-leaf.sec1.pem',
      'ec-leaf.sec1.der',
      'ecparam-genkey.pem',
      'ed25519.key',
    ];
    for (const name of plain) {
      const result = readUploads([upload(name)]);
      assert.deepEqual(result.problems, [], name);
      assert.equal(result.keys.length, 1, name);
      assert.equal(result.keys[0]!.source, `${name}#1`, name);
    }
    for (const name of ['leaf.enc.pem', 'leaf.enc.der', 'leaf.legacy-enc.pem']) {
      const result = readUploads([upload(name, { password })]);
      assert.deepEqual(result.problems, [], name);
      assert.deepEqual({ type: result.keys[0]!.type, bits: result.keys[0]!.bits }, { type: 'rsa', bits: 2048 }, name);
    }
    assert.equal(readUploads([upload('ed25519.key')]).keys[0]!.type, 'ed25519');
  });

  it('keeps each certificate and key once, from the first upload that had it', () => {
    const result = readUploads([upload('leaf.der'), upload('bundle.pem'), upload('modern.p12', { password }), upload('leaf.key'), upload('leaf.pkcs1.pem')]);
    assert.deepEqual(result.problems, []);
    assert.deepEqual(sources(result), ['leaf.der#1', 'bundle.pem#1', 'bundle.pem#3']);
    assert.deepEqual(
      result.keys.map((k) => k.source),
      ['modern.p12#4'],
    );
    assert.deepEqual(
      result.duplicates.filter((d) => d.what === 'certificate').map((d) => [d.source, d.keptAs]),
      [
        ['bundle.pem#2', 'leaf.der#1'],
        ['modern.p12#1', 'leaf.der#1'],
        ['modern.p12#2', 'bundle.pem#1'],
        ['modern.p12#3', 'bundle.pem#3'],
      ],
    );
    assert.deepEqual(
      result.duplicates.filter((d) => d.what === 'key').map((d) => d.source),
      ['leaf.key#1', 'leaf.pkcs1.pem#1'],
    );
  });

  it('reads pasted text: PEM blocks in a string, and a bare base64 certificate', () => {
    const pasted = readUploads([{ name: 'pasted text', bytes: `see below\n${fx.read('ec-leaf.pem').toString()}thanks` }]);
    assert.deepEqual(ders(pasted), [fx.der['ec-leaf']]);
    const base64 = fx.der['ec-int']!.toString('base64').replace(/.{64}/g, '$&\n');
    assert.deepEqual(ders(readUploads([{ name: 'pasted base64', bytes: base64 }])), [fx.der['ec-int']]);
  });

  it('reads PEM saved as UTF-16 with a byte-order mark', () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(fx.read('ec-leaf.pem').toString(), 'utf16le')]);
    assert.deepEqual(ders(readUploads([{ name: 'notepad.pem', bytes: utf16 }])), [fx.der['ec-leaf']]);
  });

  it('reads DER certificates written back to back in one file', () => {
    const result = readUploads([{ name: 'two.der', bytes: Buffer.concat([fx.der.leaf!, fx.der.int!, Buffer.from('\n')]) }]);
    assert.deepEqual(result.problems, []);
    assert.deepEqual(ders(result), [fx.der.leaf, fx.der.int]);
  });
});
