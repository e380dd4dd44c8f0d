import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCfsslMetadata, platformsFromMetadata } from '../../../../engine/bundler/rank/platform.ts';
import { root } from './fixtures.ts';

const entry = { name: 'Mozilla', weight: 25, hash_algo: 'SHA2', key_algo: 'ECDSA256', keystore: 'nss.pem' };

describe('bundler rank: cfssl platform metadata', () => {
  it('reads the entries and keeps the keystore path, an empty one meaning none', () => {
    const entries = parseCfsslMetadata([entry, { ...entry, name: 'Chrome', weight: 0, keystore: '' }]);
    assert.deepEqual(
      entries.map((e) => e.keystore),
      ['nss.pem', undefined],
    );
  });

  it('rejects the whole file on one bad entry, naming it', () => {
    assert.throws(() => parseCfsslMetadata([entry, { ...entry, name: 'Odd', key_algo: 'ED25519' }], 'meta.json'), {
      message: 'meta.json[1].key_algo (Odd): "ED25519" is not one of RSA, ECDSA256, ECDSA384, ECDSA521',
    });
    assert.throws(() => parseCfsslMetadata([{ ...entry, weight: -1 }]), /weight \(Mozilla\): expected a non-negative integer/);
    assert.throws(() => parseCfsslMetadata({}), /expected a JSON array/);
  });

  it('asks the caller for a root-store lookup only for entries with a keystore', () => {
    const asked: string[] = [];
    const platforms = platformsFromMetadata(parseCfsslMetadata([entry, { ...entry, name: 'Chrome', keystore: undefined }]), (e) => {
      asked.push(e.keystore);
      return () => false;
    });
    assert.deepEqual(asked, ['nss.pem']);
    const r = root('CN=Root');
    assert.deepEqual(
      platforms.map((p) => p.trusts(r.fingerprint, r)),
      [false, true],
    );
    assert.deepEqual(
      platforms.map((p) => [p.hashAlgo, p.keyAlgo]),
      [
        ['SHA2', 'ECDSA256'],
        ['SHA2', 'ECDSA256'],
      ],
    );
  });
});
