// matchKey: which uploaded key is the leaf's (keys and certificates made by openssl).
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { matchKey, readUploads } from '../../../../engine/bundler/input/index.ts';
import { fixtures, password, type Fixtures } from './openssl-fixtures.ts';

let fx: Fixtures;

describe('bundler input: key matching (openssl)', { timeout: 60_000 }, () => {
  before(() => {
    fx = fixtures();
  });

  it('finds the leaf key among others, whatever form it came in', () => {
    for (const name of ['leaf.pkcs1.der', 'leaf.enc.pem', 'leaf.legacy-enc.pem']) {
      const { keys } = readUploads([
        { name: 'other.key', bytes: fx.read('ec-leaf.key') },
        { name, bytes: fx.read(name), password },
      ]);
      const match = matchKey(fx.der.leaf!, keys);
      assert.equal(match.status, 'matched', name);
      assert.equal(match.status === 'matched' && match.key.source, `${name}#1`);
    }
  });

  it('matches an EC leaf with its SEC1 key, and the key inside a PKCS#12 with its own leaf', () => {
    const ec = readUploads([{ name: 'ec.key', bytes: fx.read('ec-leaf.sec1.der') }]);
    assert.equal(matchKey(fx.der['ec-leaf']!, ec.keys).status, 'matched');
    const p12 = readUploads([{ name: 'modern.p12', bytes: fx.read('modern.p12'), password }]);
    const leaf = p12.certificates.find((c) => c.der.equals(fx.der.leaf!))!;
    assert.equal(matchKey(leaf.der, p12.keys, leaf.source).status, 'matched');
  });

  it("gives cfssl 2300 when keys were given but none is the leaf's", () => {
    const { keys } = readUploads([
      { name: 'ca.key', bytes: fx.read('ca.key') },
      { name: 'ec.key', bytes: fx.read('ec-leaf.key') },
    ]);
    const match = matchKey(fx.der.leaf!, keys, 'bundle.pem#2');
    assert.equal(match.status, 'mismatch');
    assert.deepEqual(match.status === 'mismatch' && [match.problem.code, match.problem.name, match.problem.source], [2300, 'E_KEY_MISMATCH', 'bundle.pem#2']);
    assert.match(match.status === 'mismatch' ? match.problem.message : '', /ca\.key#1, ec\.key#1/);
  });

  it('says there is nothing to check when no key was given', () => {
    assert.deepEqual(matchKey(fx.der.leaf!, []), { status: 'no-key' });
  });
});
