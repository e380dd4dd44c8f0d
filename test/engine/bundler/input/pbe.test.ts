// The PKCS#12 key derivation and the DER reader on their own.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import forge from 'node-forge';
import { DerError, children, octets, oid, readTlv } from '../../../../engine/bundler/input/der.ts';
import { bmpPassword, pkcs12Kdf } from '../../../../engine/bundler/input/pbe.ts';

describe('bundler input: PKCS#12 KDF and DER reader', () => {
  it('derives the same PKCS#12 keys as node-forge for SHA-1 and SHA-256, 1 and 2048 rounds', () => {
    const salt = Buffer.from('0a58cf64530d823f', 'hex');
    for (const [digest, md] of [['sha1', forge.md.sha1.create()], ['sha256', forge.md.sha256.create()]] as const) {
      for (const [id, iterations, length] of [[1, 1, 24], [2, 2048, 8], [3, 2048, 32], [1, 5, 70]] as const) {
        const ours = pkcs12Kdf(bmpPassword('smeg'), salt, id, iterations, length, digest);
        const theirs = forge.pkcs12.generateKey('smeg', forge.util.createBuffer(salt.toString('binary')), id, iterations, length, md);
        assert.equal(ours.toString('hex'), Buffer.from(theirs.getBytes(), 'binary').toString('hex'), `${digest} id ${id} × ${iterations}`);
      }
    }
  });

  it('writes passwords as BMPString with a terminator, and "no password" as nothing', () => {
    assert.equal(bmpPassword('ab').toString('hex'), '006100620000');
    assert.equal(bmpPassword('').toString('hex'), '0000');
    assert.equal(bmpPassword(null).length, 0);
  });

  it('reads BER indefinite lengths and constructed OCTET STRINGs', () => {
    // SEQUENCE (indefinite) { OID 1.2.840.113549.1.7.1, OCTET STRING (constructed, indefinite) { "ab", "c" } }
    const ber = Buffer.from('3080' + '06092a864886f70d010701' + '2480' + '04026162' + '040163' + '0000' + '0000', 'hex');
    const top = readTlv(ber);
    assert.equal(top.end, ber.length);
    const [id, data] = children(ber, top);
    assert.equal(oid(ber, id!), '1.2.840.113549.1.7.1');
    assert.equal(octets(ber, data!).toString(), 'abc');
  });

  it('tells a cut element from a malformed one', () => {
    assert.throws(() => readTlv(Buffer.from('3082ffff3000', 'hex')), (err: unknown) => err instanceof DerError && err.kind === 'truncated');
    assert.throws(() => readTlv(Buffer.from('3f0100', 'hex')), (err: unknown) => err instanceof DerError && err.kind === 'malformed');
    assert.throws(() => readTlv(Buffer.from('0480', 'hex')), (err: unknown) => err instanceof DerError && err.kind === 'malformed');
    let deep = Buffer.from('0500', 'hex');
    for (let i = 0; i < 40; i++) deep = Buffer.concat([Buffer.from([0x30, 0x80]), deep, Buffer.from([0, 0])]);
    assert.throws(() => readTlv(deep), (err: unknown) => err instanceof DerError && /deeper/.test(err.message));
  });
});
