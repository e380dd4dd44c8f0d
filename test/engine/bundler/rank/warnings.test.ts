import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rankChains } from '../../../../engine/bundler/rank/rank.ts';
import type { CandidateChain, Platform } from '../../../../engine/bundler/rank/types.ts';
import { cert, chain, ec, platform, root, utc } from './fixtures.ts';

const now = utc('2017-06-01');
const rootA = root('CN=Root A', { ski: 'aa:01' });

function only(c: CandidateChain, platforms: Platform[] = [platform('P1', 10, 'all')], at = now) {
  return rankChains([c], platforms, { now: at }).chains[0]!;
}

describe('bundler rank: warnings', () => {
  it('warns about a step expiring within 30 days of the validation time, not 31', () => {
    const leaf = cert('CN=leaf', { notAfter: utc('2017-06-30'), ski: 'ab:cd' }); // 29 days
    const issuer = cert('CN=Issuer', { notAfter: utc('2017-07-02') }); // 31 days
    const ranked = only(chain(leaf, issuer, rootA));
    const soon = ranked.warnings.filter((w) => w.code === 'W_EXPIRES_SOON');
    assert.deepEqual(
      soon.map((w) => w.certs),
      [[0]],
    );
    assert.match(soon[0]!.message, /^#1 \(CN=leaf\) expires on 2017-06-30, within 30 days of 2017-06-01/);
    assert.equal(ranked.status.code & 1, 1);
    assert.deepEqual(ranked.status.expiring_SKIs, ['ABCD']);
  });

  it('counts the root in cfssl expiring_SKIs, as cfssl checks the chain before dropping the root', () => {
    const dyingRoot = root('CN=Old Root', { notAfter: utc('2017-06-10'), ski: '0f' });
    const ranked = only(chain(cert('CN=leaf', { notAfter: utc('2017-06-05') }), dyingRoot));
    assert.deepEqual(ranked.status.expiring_SKIs, ['', '0F'], 'a certificate without an SKI is listed empty, as cfssl does');
    assert.match(ranked.status.messages[0]!, /certificates #1 #2/);
  });

  it('warns about a step that expires before the leaf', () => {
    const leaf = cert('CN=leaf', { notAfter: utc('2019-01-01') });
    const ranked = only(chain(leaf, cert('CN=Issuer', { notAfter: utc('2018-03-01') }), rootA));
    const w = ranked.warnings.find((x) => x.code === 'W_EXPIRES_BEFORE_LEAF');
    assert.deepEqual(w?.certs, [1]);
    assert.match(w!.message, /^#2 \(CN=Issuer\) expires on 2018-03-01, before the leaf \(2019-01-01\): the chain stops validating then/);
  });

  it('warns about SHA-1 below the root but not on the root', () => {
    const ranked = only(chain(cert('CN=leaf'), cert('CN=Issuer', { hash: 'sha1' }), root('CN=Root', { hash: 'sha1' })));
    const w = ranked.warnings.filter((x) => x.code === 'W_SHA1');
    assert.deepEqual(
      w.map((x) => x.certs),
      [[1]],
    );
    assert.equal(
      only(chain(cert('CN=leaf'), root('CN=Root', { hash: 'sha1' }))).warnings.some((x) => x.code === 'W_SHA1'),
      false,
    );
  });

  it('names the platforms that do not trust the root, and those that trust it but cannot use the chain', () => {
    const platforms = [
      platform('Trusting', 10, [rootA]),
      platform('Elsewhere', 5, []),
      platform('Windows XP', 21, [rootA], 'SHA1', 'RSA'),
      platform('Android 2.3', 10, [rootA], 'SHA2', 'RSA'),
    ];
    const ranked = only(chain(cert('CN=leaf', { key: ec('P-256') }), cert('CN=Issuer'), rootA), platforms);
    const untrusted = ranked.warnings.find((w) => w.code === 'W_UNTRUSTED_PLATFORMS');
    assert.deepEqual(untrusted?.platforms, ['Elsewhere']);
    const unsupported = ranked.warnings.find((w) => w.code === 'W_UNSUPPORTED_PLATFORMS');
    assert.deepEqual(unsupported?.platforms, ['Windows XP', 'Android 2.3']);
    assert.match(unsupported!.message, /Windows XP \(cannot verify the chain's hash and cannot use the chain's key type\)/);
    assert.deepEqual(ranked.status.untrusted_root_stores, ['Elsewhere']);
    assert.equal(ranked.scores.coverage, 10);
    assert.match(ranked.explanations[0]!, /^coverage 10 of 46; usable by Trusting 10; not by Elsewhere 5 \(root not trusted\), Windows XP 21/);
  });

  it('says when there is no platform metadata', () => {
    const ranked = only(chain(cert('CN=leaf'), rootA), []);
    assert.deepEqual(
      ranked.warnings.map((w) => w.code),
      ['W_NO_PLATFORMS'],
    );
    assert.equal(ranked.status.code, 2);
    assert.ok(ranked.status.messages.some((m) => /no platform metadata/.test(m)));
  });
});

describe('bundler rank: cfssl status', () => {
  const legacy = (leafUntil: string) =>
    chain(
      cert('CN=leaf', { hash: 'sha1', notBefore: utc('2013-01-01'), notAfter: utc(leafUntil) }),
      cert('CN=Issuer', { hash: 'sha1', notBefore: utc('2012-01-01'), notAfter: utc('2020-01-01') }),
      root('CN=Root', { hash: 'sha1' }),
    );

  it('is code 0 for an all-SHA-1 RSA chain every platform trusts, before the SHA-1 deprecations', () => {
    const status = only(legacy('2015-06-01'), [platform('P1', 10, 'all', 'SHA1', 'RSA')], utc('2014-06-01')).status;
    assert.deepEqual(status, { code: 0, expiring_SKIs: [], untrusted_root_stores: [], messages: [] });
  });

  it('sets bit 2 for SHA-2 and for ECDSA, as cfssl does for any such chain', () => {
    const sha2 = only(chain(cert('CN=leaf'), rootA)).status;
    assert.equal(sha2.code, 2);
    assert.equal(sha2.messages.length, 1);
    const ecdsa = only(chain(cert('CN=leaf', { hash: 'sha1', key: ec('P-256') }), root('CN=Root', { hash: 'sha1' }))).status;
    assert.equal(ecdsa.code, 2);
    assert.match(ecdsa.messages[0]!, /ECDSA/);
  });

  it('sets bit 2 with one message per browser when SHA-1 below the root outlives the deprecation deadlines', () => {
    const before2017 = only(legacy('2017-06-01'), [platform('P1', 10, 'all', 'SHA1', 'RSA')], utc('2016-06-01')).status;
    assert.equal(before2017.code, 2);
    assert.deepEqual(before2017.messages, [
      'Google Chrome shows the connection as untrusted because of SHA-1 deprecation',
      'Mozilla Firefox warns in the developer console because of SHA-1 deprecation',
    ]);
    const after2017 = only(legacy('2017-06-01'), [platform('P1', 10, 'all', 'SHA1', 'RSA')], utc('2017-02-01')).status;
    assert.deepEqual(after2017.messages, [
      'Google Chrome shows the connection as untrusted because of SHA-1 deprecation',
      'Mozilla Firefox shows the connection as untrusted because of SHA-1 deprecation',
      'Microsoft Windows Vista and later shows the connection as untrusted because of SHA-1 deprecation',
    ]);
  });

  it('combines bit 1 and bit 2 into code 3', () => {
    const ranked = only(chain(cert('CN=leaf', { notAfter: utc('2017-06-10') }), rootA), [platform('Elsewhere', 5, [])]);
    assert.equal(ranked.status.code, 3);
    assert.deepEqual(ranked.status.untrusted_root_stores, ['Elsewhere']);
  });
});
