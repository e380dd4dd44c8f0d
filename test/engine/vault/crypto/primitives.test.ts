// Known answers from the standards for the primitives the vault's crypto is built on, run through
// the same calls the vault makes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bindTo, open, seal } from '../../../../engine/vault/crypto/aead.ts';
import { concat, fromBase64, fromBase64Url, toBase64, utf8 } from '../../../../engine/vault/crypto/bytes.ts';
import { canonicalJson } from '../../../../engine/vault/crypto/canonical-json.ts';
import { scryptBytes } from '../../../../engine/vault/crypto/kdf.ts';

const hex = (text: string) => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
const toHex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha-03 §A.3.1)', () => {
  const key = hex('808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f');
  const nonce = hex('404142434445464748494a4b4c4d4e4f5051525354555657');
  const aad = hex('50515253c0c1c2c3c4c5c6c7');
  const plaintext = utf8("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.");
  const ciphertext = hex(`bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb731c7f1b0b4aa6440bf3a82f4eda7e39
    ae64c6708c54c216cb96b72e1213b4522f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff921f9664c97637da9768812f615c68b13b52e`);
  const tag = hex('c0875924c1c7987947deafd8780acf49');

  it("encrypts the draft's test vector to its ciphertext and tag", () => {
    assert.equal(toHex(xchacha20poly1305(key, nonce, aad).encrypt(plaintext)), toHex(concat(ciphertext, tag)));
  });

  it("opens the vector through the vault's sealed form (nonce ‖ ciphertext ‖ tag)", () => {
    assert.deepEqual(open(key, concat(nonce, ciphertext, tag), aad, 'the vector'), plaintext);
  });

  it('refuses the vector with one bit of ciphertext, tag or associated data changed', () => {
    const sealed = concat(nonce, ciphertext, tag);
    for (const index of [0, 24, sealed.length - 1]) {
      const altered = sealed.slice();
      altered[index]! ^= 1;
      assert.throws(() => open(key, altered, aad, 'the vector'), { code: 'E_VAULT_DECRYPT' });
    }
    assert.throws(() => open(key, sealed, hex('50515253c0c1c2c3c4c5c6c6'), 'the vector'), { code: 'E_VAULT_DECRYPT' });
  });

  it('seals under a fresh random nonce each time', () => {
    const a = seal(key, plaintext, aad);
    const b = seal(key, plaintext, aad);
    assert.notDeepEqual(a.subarray(0, 24), b.subarray(0, 24));
    assert.deepEqual(open(key, a, aad, 'a'), plaintext);
  });
});

describe('HKDF-SHA256 (RFC 5869 §A.1, test case 1)', () => {
  it("derives the RFC's 42-byte OKM", () => {
    const okm = hkdf(sha256, new Uint8Array(22).fill(0x0b), hex('000102030405060708090a0b0c'), hex('f0f1f2f3f4f5f6f7f8f9'), 42);
    assert.equal(toHex(okm), '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865');
  });
});

describe("scrypt through the KDF's own call (RFC 7914 §12)", () => {
  it('derives scrypt("", "", N=16, r=1, p=1, 64)', async () => {
    const out = await scryptBytes(new Uint8Array(0), new Uint8Array(0), { N: 16, r: 1, p: 1 }, 64);
    assert.equal(
      toHex(out),
      '77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906',
    );
  });

  it('derives scrypt("password", "NaCl", N=1024, r=8, p=16, 64)', async () => {
    const out = await scryptBytes(utf8('password'), utf8('NaCl'), { N: 1024, r: 8, p: 16 }, 64);
    assert.equal(
      toHex(out),
      'fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640',
    );
  });
});

describe('associated data framing', () => {
  it('gives different bytes when parts are split differently or the purpose differs', () => {
    assert.notDeepEqual(bindTo('share', utf8('ab'), utf8('c')), bindTo('share', utf8('a'), utf8('bc')));
    assert.notDeepEqual(bindTo('share', utf8('a')), bindTo('owner key', utf8('a')));
    assert.equal(toHex(bindTo('x', hex('ff'))), toHex(concat(utf8('signalbox.vault.v1 x'), hex('00'), hex('00000001ff'))));
  });
});

describe('encodings with one spelling', () => {
  it('refuses base64 that Node would decode leniently', () => {
    assert.deepEqual(fromBase64('AAE=', 'x'), new Uint8Array([0, 1]));
    for (const text of ['AAE', 'AAF=', 'AA E=', 'AAE=\n', 'AA-=']) assert.throws(() => fromBase64(text, 'x'), { code: 'E_VAULT_FORMAT' }, text);
    assert.deepEqual(fromBase64Url('AAE', 'x'), new Uint8Array([0, 1]));
    for (const text of ['AAE=', 'AAF', 'AA+']) assert.throws(() => fromBase64Url(text, 'x'), { code: 'E_VAULT_FORMAT' }, text);
    assert.equal(toBase64(new Uint8Array([0xfb, 0xff])), '+/8=');
  });

  it('writes canonical JSON with sorted keys, no spaces and integers only', () => {
    assert.equal(canonicalJson({ b: [1, 'x', { d: null, c: true }], a: 'é"' }), '{"a":"é\\"","b":[1,"x",{"c":true,"d":null}]}');
    assert.throws(() => canonicalJson({ a: 1.5 }), /safe integers/);
  });
});
