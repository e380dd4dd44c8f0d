// The PKCS#12 key derivation on its own.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import forge from 'node-forge';
import { bmpPassword, pkcs12Kdf } from '../../../../engine/bundler/input/pbe.ts';

describe('bundler input: PKCS#12 KDF', () => {
  it('derives the same PKCS#12 keys as node-forge for SHA-1 and SHA-256, 1 and 2048 rounds', () => {
    const salt = Buffer.from('0a58cf64530d823f', 'hex');
    for (const [digest, md] of [
      ['sha1', forge.md.sha1.create()],
      ['sha256', forge.md.sha256.create()],
    ] as const) {
      for (const [id, iterations, length] of [
        [1, 1, 24],
        [2, 2048, 8],
        [3, 2048, 32],
        [1, 5, 70],
      ] as const) {
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
});
