// cfssl's reference picks (specs/bundler-ranking.md) rebuilt with cfssl's real platform metadata and
// root stores, the real roots and cross-signs from cfssl_trust, and hand-made leaves and intermediates.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { platformsFromMetadata } from '../../../../engine/bundler/rank/platform.ts';
import { rankChains } from '../../../../engine/bundler/rank/rank.ts';
import { scoreChain } from '../../../../engine/bundler/rank/chain-scores.ts';
import type { CandidateChain, RankedCert } from '../../../../engine/bundler/rank/types.ts';
import { metadataEntries, realCert, realCerts, realPlatforms } from './cfssl-trust.ts';
import { cert, chain, ec, root, rsa, utc } from './fixtures.ts';

const platforms = realPlatforms();
const rootOf = (c: CandidateChain) => c.certs.at(-1)!.subject;

describe('bundler rank: coverage with cfssl metadata', () => {
  // Every store trusts every root here, so only the hash and key limits of each platform count.
  const trustAll = platformsFromMetadata(metadataEntries(), () => () => true);
  const coverage = (...certs: RankedCert[]) => scoreChain(certs, trustAll).coverage;
  const sha1Root = root('CN=Root', { hash: 'sha1' });

  it('has 13 platforms (15 entries: Chrome M39, M40 and M41+ are one browser) weighing 181 in total', () => {
    assert.equal(trustAll.length, 15);
    assert.equal(new Set(trustAll.map((p) => p.name.replace(/ M\d+.*$/, ''))).size, 13);
    assert.equal(scoreChain([sha1Root], trustAll).coverageMax, 181);
  });

  it('gives 181 to an all-SHA-1 RSA chain, 160 with any SHA-2 (not Windows XP), 149 with any ECDSA (not Android 2.2/2.3 either)', () => {
    assert.equal(coverage(cert('CN=leaf', { hash: 'sha1' }), sha1Root), 181);
    assert.equal(coverage(cert('CN=leaf'), sha1Root), 160);
    assert.equal(coverage(cert('CN=leaf', { key: ec('P-256') }), sha1Root), 149);
    assert.equal(coverage(cert('CN=leaf', { key: ec('P-384') }), sha1Root), 149);
    assert.equal(coverage(cert('CN=leaf', { key: ec('P-521') }), sha1Root), 0, 'no platform lists P-521');
    assert.equal(coverage(cert('CN=leaf', { hash: 'md5' }), sha1Root), 0);
  });

  it('lets the three Chrome entries (no root store, weight 0) trust every root', () => {
    const chrome = platforms.filter((p) => p.name.startsWith('Chrome'));
    assert.equal(chrome.length, 3);
    assert.ok(chrome.every((p) => p.weight === 0 && p.trusts('no such root', sha1Root)));
  });
});

describe("bundler rank: cfssl's reference picks", () => {
  it("Let's Encrypt, 2017: ubiquitous picks DST Root CA X3 (coverage), optimal ISRG Root X1 (crypto quality)", () => {
    const dst = realCert('certdata/trusted_roots/nss.pem', /CN=DST Root CA X3/);
    const isrg = realCert('ca-bundle.crt', /CN=ISRG Root X1/);
    assert.deepEqual([dst.hash, dst.key, isrg.hash, isrg.key], ['sha1', rsa(2048), 'sha256', rsa(4096)]);
    const leaf = cert('CN=example.org', { notBefore: utc('2017-05-01'), notAfter: utc('2017-07-30') });
    const x3ByDst = cert("CN=Let's Encrypt Authority X3 (by DST)", { notBefore: utc('2016-03-17T16:40:46Z'), notAfter: utc('2021-03-17T16:40:46Z') });
    const x3ByIsrg = cert("CN=Let's Encrypt Authority X3 (by ISRG)", { notBefore: utc('2016-10-06T15:43:55Z'), notAfter: utc('2021-10-06T15:43:55Z') });
    const viaDst = chain(leaf, x3ByDst, dst);
    const viaIsrg = chain(leaf, x3ByIsrg, isrg);
    const now = utc('2017-06-01');

    const ubiquitous = rankChains([viaIsrg, viaDst], platforms, { now });
    assert.equal(ubiquitous.chains[0]!.chain, viaDst);
    assert.deepEqual(
      ubiquitous.chains.map((c) => c.scores.coverage),
      [159, 0],
    );
    assert.deepEqual(ubiquitous.chains[1]!.lostAt, { step: 'coverage', reason: 'coverage 0 < 159' });
    assert.deepEqual(ubiquitous.chains[0]!.status.untrusted_root_stores, ['Android 2.2 Froyo']);

    const optimal = rankChains([viaDst, viaIsrg], platforms, { now, flavor: 'optimal' });
    assert.equal(optimal.chains[0]!.chain, viaIsrg);
    assert.deepEqual(optimal.chains[1]!.lostAt, { step: 'cryptoQuality', reason: 'crypto quality 100 < 143 (hash 70 + key 30 vs 100 + 43)' });
  });

  it('cloudflare.com: ubiquitous goes via GlobalSign Root CA (coverage 149 vs 0), optimal to GTS Root R4 directly', () => {
    const globalSign = realCert('ca-bundle.crt', /CN=GlobalSign Root CA$/);
    const r4 = realCert('ca-bundle.crt', /CN=GTS Root R4/);
    const r4ByGlobalSign = realCert('int-bundle.crt', /CN=GTS Root R4/, /CN=GlobalSign Root CA$/);
    const we1 = realCert('int-bundle.crt', /CN=WE1/);
    const leaf = cert('CN=cloudflare.com', { key: ec('P-256'), notBefore: utc('2024-05-01'), notAfter: utc('2024-07-30') });
    const viaGlobalSign = chain(leaf, we1, r4ByGlobalSign, globalSign);
    const direct = chain(leaf, we1, r4);
    const now = utc('2024-06-01');

    const ubiquitous = rankChains([direct, viaGlobalSign], platforms, { now });
    assert.equal(ubiquitous.chains[0]!.chain, viaGlobalSign);
    assert.deepEqual(ubiquitous.chains[1]!.lostAt, { step: 'coverage', reason: 'coverage 0 < 149' });

    const optimal = rankChains([viaGlobalSign, direct], platforms, { now, flavor: 'optimal' });
    assert.equal(optimal.chains[0]!.chain, direct);
    assert.deepEqual(optimal.chains[1]!.lostAt, { step: 'length', reason: 'length 4 > 3' });
  });

  it('aws.amazon.com: of 7 chains, ubiquitous picks a 5-certificate path to Starfield Class 2, optimal leaf + M04 to Amazon Root CA 1', () => {
    const amazonRoot = realCert('ca-bundle.crt', /CN=Amazon Root CA 1/);
    const amazonCrosses = realCerts('int-bundle.crt', /CN=Amazon Root CA 1/, /Starfield Services Root Certificate Authority - G2/);
    const g2Root = realCert('ca-bundle.crt', /Starfield Services Root Certificate Authority - G2/);
    const g2Crosses = realCerts('int-bundle.crt', /Starfield Services Root Certificate Authority - G2/, /Starfield Class 2/);
    const class2 = realCert('ca-bundle.crt', /Starfield Class 2/);
    assert.deepEqual([amazonCrosses.length, g2Crosses.length], [2, 2]);
    const leaf = cert('CN=aws.amazon.com', { notBefore: utc('2024-03-01'), notAfter: utc('2025-02-28') });
    const m04 = cert('CN=Amazon RSA 2048 M04', { notBefore: utc('2022-08-23'), notAfter: utc('2030-08-23') });
    const chains = [
      chain(leaf, m04, amazonRoot),
      ...amazonCrosses.map((a) => chain(leaf, m04, a, g2Root)),
      ...amazonCrosses.flatMap((a) => g2Crosses.map((g) => chain(leaf, m04, a, g, class2))),
    ];
    assert.equal(chains.length, 7);
    const now = utc('2024-06-01');

    const ubiquitous = rankChains(chains, platforms, { now });
    const best = ubiquitous.chains[0]!;
    assert.equal(best.chain.certs.length, 5);
    assert.match(rootOf(best.chain), /Starfield Class 2/);
    assert.equal(best.scores.coverage, 160);
    assert.ok(
      ubiquitous.chains.slice(1).every((c) => c.lostAt!.step !== 'fingerprints'),
      "cfssl's own steps decide, not our tie-breaker",
    );

    const optimal = rankChains(chains, platforms, { now, flavor: 'optimal' });
    assert.deepEqual(optimal.chains[0]!.chain.certs, [leaf, m04, amazonRoot]);
  });
});
