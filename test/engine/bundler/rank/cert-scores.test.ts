import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hashPriority, hashUbiquity, keyPriority, keyUbiquity } from '../../../../engine/bundler/rank/cert-scores.ts';
import { scoreChain } from '../../../../engine/bundler/rank/chain-scores.ts';
import { cert, chain, ec, root, rsa, utc } from './fixtures.ts';

describe('bundler rank: certificate scores', () => {
  it('scores hash ubiquity SHA-1 100, SHA-2 70, MD2/MD5/unknown 0', () => {
    assert.deepEqual((['sha1', 'sha256', 'sha384', 'sha512', 'md5', 'md2', 'unknown'] as const).map(hashUbiquity), [100, 70, 70, 70, 0, 0, 0]);
  });

  it('scores key ubiquity RSA >= 1024 and DSA 100, P-256/P-384 70, P-521 30, the rest 0', () => {
    assert.deepEqual(
      [rsa(1024), rsa(4096), rsa(512), { type: 'dsa' as const, bits: 1024 }, ec('P-256'), ec('P-384'), ec('P-521')].map(keyUbiquity),
      [100, 100, 0, 100, 70, 70, 30],
    );
    assert.equal(keyUbiquity({ type: 'ed25519', bits: 256 }), 0);
    assert.equal(keyUbiquity({ type: 'ec', bits: 256, curve: 'secp256k1' }), 0);
    assert.equal(keyUbiquity({ type: 'ec', bits: 384, curve: 'secp384r1' }), 70, 'OpenSSL curve names count');
    assert.equal(keyUbiquity({ type: 'ec', bits: 521 }), 30, 'the size names the curve when the name is missing');
  });

  it('scores crypto quality per certificate: SHA-2 100, SHA-1 10; P-256 100, P-384 120, P-521 140, RSA 4096/3072/2048 70/50/30', () => {
    assert.deepEqual((['sha256', 'sha512', 'sha1', 'md5'] as const).map(hashPriority), [100, 100, 10, 0]);
    assert.deepEqual(
      [ec('P-256'), ec('P-384'), ec('P-521'), rsa(4096), rsa(3072), rsa(2048), rsa(1024), rsa(8192)].map(keyPriority),
      [100, 120, 140, 70, 50, 30, 0, 0],
    );
    assert.equal(keyPriority({ type: 'dsa', bits: 2048 }), 0);
    assert.equal(keyPriority({ type: 'ec', bits: 224, curve: 'P-224' }), 100, "cfssl's default for another curve");
  });
});

describe('bundler rank: chain scores', () => {
  const leaf = cert('CN=leaf', { key: ec('P-256'), notAfter: utc('2017-08-30') });
  const inter = cert('CN=intermediate', { notAfter: utc('2021-03-17') });
  const top = root('CN=root', { hash: 'sha1', key: rsa(4096), notAfter: utc('2021-09-30') });

  it('takes the weakest hash and key over every certificate, root included', () => {
    const s = scoreChain(chain(leaf, inter, top).certs, []);
    assert.equal(s.hashUbiquity, 70, 'SHA-2 leaf, SHA-1 root: SHA-2 is the least ubiquitous');
    assert.equal(s.keyUbiquity, 70, 'the ECDSA leaf');
    assert.equal(s.sha2BelowRoot, true, "the root's SHA-1 self-signature does not count");
    assert.equal(s.length, 3);
    assert.deepEqual(s.earliestExpiry, utc('2017-08-30'));
  });

  it('averages crypto quality over the chain and truncates each part as cfssl does', () => {
    const s = scoreChain(chain(leaf, inter, top).certs, []);
    // hash (100 + 100 + 10) / 3 = 70; key (100 + 30 + 70) / 3 = 66.67 -> 66
    assert.deepEqual(s.cryptoQuality, { hash: 70, key: 66, total: 136 });
  });

  it('lists the levels from the root down with their lifetime against the CA/B Forum maximum', () => {
    const s = scoreChain(chain(leaf, inter, top).certs, []);
    assert.deepEqual(
      s.levels.map((l) => [l.level, l.subject, l.months, l.maxMonths, l.withinMax]),
      [
        [0, 'CN=root', 141, 120, false],
        [1, 'CN=intermediate', 63, 39, false],
        [2, 'CN=leaf', 20, 39, true],
      ],
    );
  });

  it('gives coverage 0 of 0 without platform metadata', () => {
    const s = scoreChain(chain(leaf, inter, top).certs, []);
    assert.equal(s.coverage, 0);
    assert.equal(s.coverageMax, 0);
  });
});
