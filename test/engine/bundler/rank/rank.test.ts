import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rankChains } from '../../../../engine/bundler/rank/rank.ts';
import type { CandidateChain, RankedCert } from '../../../../engine/bundler/rank/types.ts';
import { cert, chain, ec, platform, root, rsa, subjects, utc } from './fixtures.ts';

const now = utc('2017-06-01');
const leaf = cert('CN=leaf.example', { notBefore: utc('2017-05-01'), notAfter: utc('2017-08-29') });
const rootA = root('CN=Root A');
const rootB = root('CN=Root B');
const intA = cert('CN=Issuer A', { notAfter: utc('2021-01-01') });
const intB = cert('CN=Issuer B', { notAfter: utc('2021-01-01') });
const crossA = cert('CN=Root A cross', { notAfter: utc('2025-01-01') });

describe('bundler rank: ubiquitous flavor, step by step', () => {
  it('prefers the root trusted by more platform weight, even through a longer chain', () => {
    const platforms = [platform('P1', 10, [rootA, rootB]), platform('P2', 5, [rootA])];
    const longA = chain(leaf, intA, crossA, rootA);
    const shortB = chain(leaf, intB, rootB);
    const result = rankChains([shortB, longA], platforms, { now });
    assert.equal(result.flavor, 'ubiquitous');
    assert.deepEqual(
      result.chains.map((c) => c.chain),
      [longA, shortB],
    );
    assert.deepEqual(
      result.chains.map((c) => c.scores.coverage),
      [15, 10],
    );
    assert.equal(result.chains[0]!.lostAt, null);
    assert.deepEqual(result.chains[1]!.lostAt, { step: 'coverage', reason: 'coverage 10 < 15' });
  });

  it('then prefers SHA-2 on every certificate below the root, even through a longer chain (no platform metadata)', () => {
    const sha1Issuer = cert('CN=Issuer A (SHA-1)', { hash: 'sha1' });
    const withSha1 = chain(leaf, sha1Issuer, rootA);
    const allSha2 = chain(leaf, intB, crossA, rootB);
    const result = rankChains([withSha1, allSha2], [], { now });
    assert.equal(result.chains[0]!.chain, allSha2);
    assert.equal(result.chains[1]!.lostAt!.step, 'sha2BelowRoot');
    assert.match(result.chains[1]!.lostAt!.reason, /#2 \(CN=Issuer A \(SHA-1\)\) is signed with SHA-1/);
    assert.deepEqual(
      result.chains.map((c) => c.scores.coverage),
      [0, 0],
    );
  });

  it('then prefers the shorter chain, even when the longer one expires later', () => {
    const lateRoot = root('CN=Root B', { notAfter: utc('2040-01-01') });
    const short = chain(leaf, intA, rootA);
    const long = chain(leaf, intB, crossA, lateRoot);
    const result = rankChains([long, short], [], { now });
    assert.equal(result.chains[0]!.chain, short);
    assert.deepEqual(result.chains[1]!.lostAt, { step: 'length', reason: 'length 4 > 3' });
  });

  it('then prefers the more ubiquitous weakest hash (SHA-1 over SHA-2)', () => {
    const sha1Leaf = cert('CN=legacy.example', { hash: 'sha1', notAfter: utc('2017-08-29') });
    const allSha1 = chain(sha1Leaf, cert('CN=Issuer A', { hash: 'sha1' }), root('CN=Root A', { hash: 'sha1' }));
    const mixed = chain(sha1Leaf, intB, root('CN=Root B', { hash: 'sha1' }));
    const result = rankChains([mixed, allSha1], [], { now });
    assert.equal(result.chains[0]!.chain, allSha1);
    assert.deepEqual(result.chains[1]!.lostAt, {
      step: 'hashUbiquity',
      reason: 'hash ubiquity 70 < 100 (weakest hash SHA-256 vs SHA-1)',
    });
  });

  it('then prefers the more ubiquitous weakest key (RSA over ECDSA), before crypto quality', () => {
    const ecIssuer = cert('CN=Issuer A (P-384)', { key: ec('P-384'), notAfter: utc('2021-01-01') });
    const withEc = chain(leaf, ecIssuer, rootA);
    const allRsa = chain(leaf, intB, rootA);
    const result = rankChains([withEc, allRsa], [], { now });
    assert.equal(result.chains[0]!.chain, allRsa);
    assert.deepEqual(result.chains[1]!.lostAt, {
      step: 'keyUbiquity',
      reason: 'key ubiquity 70 < 100 (weakest key ECDSA P-384 vs RSA 2048)',
    });
    assert.ok(result.chains[1]!.scores.cryptoQuality.total > result.chains[0]!.scores.cryptoQuality.total);
  });

  it('then prefers, from the root down, a certificate within the CA/B Forum maximum lifetime over a later-expiring one over it', () => {
    const within = root('CN=Root A', { notBefore: utc('2010-01-01'), notAfter: utc('2019-12-31') }); // 120 months
    const over = root('CN=Root B', { notBefore: utc('2010-01-01'), notAfter: utc('2035-01-01') }); // 300 months
    const result = rankChains([chain(leaf, intB, over), chain(leaf, intA, within)], [], { now });
    assert.deepEqual(subjects(result.chains[0]!.chain), ['CN=leaf.example', 'CN=Issuer A', 'CN=Root A']);
    assert.equal(result.chains[1]!.lostAt!.step, 'expiryLevels');
    assert.match(
      result.chains[1]!.lostAt!.reason,
      /^at the root, CN=Root B is valid 300 months, over the 120-month maximum for certificates issued before 2012-07-01/,
    );
  });

  it('then prefers the later expiry at the first level that differs from the root down', () => {
    const byRoot = rankChains([chain(leaf, intA, rootA), chain(leaf, intB, root('CN=Root B', { notAfter: utc('2031-01-01') }))], [], { now });
    assert.deepEqual(byRoot.chains[1]!.lostAt, {
      step: 'expiryLevels',
      reason: 'at the root, CN=Root A expires 2030-01-01 < CN=Root B 2031-01-01',
    });
    const later = cert('CN=Issuer B', { notAfter: utc('2021-06-01') });
    const byIssuer = rankChains([chain(leaf, intA, rootA), chain(leaf, later, rootA)], [], { now });
    assert.equal(byIssuer.chains[0]!.chain.certs[1], later);
    assert.deepEqual(byIssuer.chains[1]!.lostAt, {
      step: 'expiryLevels',
      reason: 'at level 1 below the root, CN=Issuer A expires 2021-01-01 < CN=Issuer B 2021-06-01',
    });
  });

  it('then breaks ties with the optimal steps: crypto quality', () => {
    const strong = cert('CN=Issuer B (RSA 4096)', { key: rsa(4096), notAfter: utc('2021-01-01') });
    const result = rankChains([chain(leaf, intA, rootA), chain(leaf, strong, rootA)], [], { now });
    assert.equal(result.chains[0]!.chain.certs[1], strong);
    assert.deepEqual(result.chains[1]!.lostAt, {
      step: 'cryptoQuality',
      reason: 'crypto quality 130 < 143 (hash 100 + key 30 vs 100 + 43)',
    });
  });

  it('ends with the lexical order of the SHA-256 fingerprints, whatever the input order', () => {
    const twins = [chain(leaf, intA, rootA), chain(leaf, intB, rootA)];
    const first = intA.fingerprint < intB.fingerprint ? intA : intB;
    for (const order of [twins, [...twins].reverse()]) {
      const result = rankChains(order, [], { now });
      assert.equal(result.chains[0]!.chain.certs[1], first);
      assert.equal(result.chains[1]!.lostAt!.step, 'fingerprints');
      assert.match(result.chains[1]!.lostAt!.reason, /^tied on every step; at certificate #2 its fingerprint [0-9a-f]{16}… sorts after/);
    }
  });

  it('ignores colons and case in fingerprints when breaking ties', () => {
    const colons = (c: RankedCert): RankedCert => ({ ...c, fingerprint: c.fingerprint.toUpperCase().replace(/(..)(?!$)/g, '$1:') });
    const a = chain(leaf, colons(intA), rootA);
    const b = chain(leaf, intB, rootA);
    const plain = rankChains([chain(leaf, intA, rootA), b], [], { now }).chains[0]!.chain.certs[1]!.subject;
    assert.equal(rankChains([a, b], [], { now }).chains[0]!.chain.certs[1]!.subject, plain);
  });

  it('lists every step in order, the tie-breaker last', () => {
    assert.deepEqual(rankChains([chain(leaf, intA, rootA)], [], { now }).steps, [
      'coverage',
      'sha2BelowRoot',
      'length',
      'hashUbiquity',
      'keyUbiquity',
      'expiryLevels',
      'earliestExpiry',
      'cryptoQuality',
      'fingerprints',
    ]);
  });

  it('is the default, and takes an unknown flavor too, saying so', () => {
    const chains = [chain(leaf, intA, rootA)];
    assert.equal(rankChains(chains, [], { now }).flavor, 'ubiquitous');
    const result = rankChains(chains, [], { now, flavor: 'fastest' });
    assert.equal(result.flavor, 'ubiquitous');
    assert.equal(result.requestedFlavor, 'fastest');
    assert.match(result.chains[0]!.explanations[0]!, /unknown flavor "fastest": ranked as ubiquitous/);
  });
});

describe('bundler rank: optimal flavor', () => {
  it('prefers the shortest chain, whatever the coverage', () => {
    const platforms = [platform('P1', 10, [rootA, rootB]), platform('P2', 5, [rootA])];
    const longA = chain(leaf, intA, crossA, rootA);
    const shortB = chain(leaf, intB, rootB);
    const result = rankChains([longA, shortB], platforms, { now, flavor: 'optimal' });
    assert.deepEqual(result.steps, ['length', 'earliestExpiry', 'cryptoQuality', 'fingerprints']);
    assert.equal(result.chains[0]!.chain, shortB);
    assert.deepEqual(result.chains[1]!.lostAt, { step: 'length', reason: 'length 4 > 3' });
  });

  it('then prefers the latest earliest expiry, over better crypto', () => {
    const longLeaf = cert('CN=leaf.example', { notAfter: utc('2020-01-01') });
    const strongSoon = cert('CN=Issuer A', { key: ec('P-384'), notAfter: utc('2018-06-01') });
    const weakLater = cert('CN=Issuer B', { notAfter: utc('2019-06-01') });
    const result = rankChains([chain(longLeaf, strongSoon, rootA), chain(longLeaf, weakLater, rootA)], [], { now, flavor: 'optimal' });
    assert.equal(result.chains[0]!.chain.certs[1], weakLater);
    assert.deepEqual(result.chains[1]!.lostAt, { step: 'earliestExpiry', reason: 'earliest expiry 2018-06-01 < 2019-06-01' });
  });

  it('then prefers the highest crypto quality', () => {
    const strong = cert('CN=Issuer B', { key: ec('P-256'), notAfter: utc('2021-01-01') });
    const result = rankChains([chain(leaf, intA, rootA), chain(leaf, strong, rootA)], [], { now, flavor: 'optimal' });
    assert.equal(result.chains[0]!.chain.certs[1], strong);
    assert.deepEqual(result.chains[1]!.lostAt, { step: 'cryptoQuality', reason: 'crypto quality 130 < 153 (hash 100 + key 30 vs 100 + 53)' });
  });
});

describe('bundler rank: force flavor', () => {
  const platforms = [platform('P1', 10, [rootA, rootB]), platform('P2', 5, [rootA])];
  const uploaded: CandidateChain = { certs: [leaf, intB, rootB], uploadedOrder: true };
  const better = chain(leaf, intA, rootA);

  it('keeps the uploaded chain when each certificate signs the one before it, over a better chain', () => {
    const result = rankChains([better, uploaded], platforms, { now, flavor: 'force', signs: () => true });
    assert.equal(result.flavor, 'force');
    assert.equal(result.chains[0]!.chain, uploaded);
    assert.equal(result.chains[1]!.lostAt!.step, 'force');
    assert.deepEqual(result.chains[0]!.status.untrusted_root_stores, [], 'cfssl does not look the root up when forcing');
    assert.deepEqual(result.chains[1]!.status.untrusted_root_stores, []);
  });

  it('refuses an uploaded chain whose certificates do not sign each other in order, with cfssl code 1200', () => {
    const signs = (issuer: RankedCert, subject: RankedCert) => !(issuer === rootB && subject === intB);
    assert.throws(() => rankChains([better, uploaded], platforms, { now, flavor: 'force', signs }), {
      name: 'RankError',
      code: 1200,
      message: /^force: uploaded certificate #3 \(CN=Root B\) does not sign #2 \(CN=Issuer B\); upload the leaf first/,
    });
  });

  it('checks each pair with signs(issuer, subject)', () => {
    const seen: string[] = [];
    rankChains([uploaded], platforms, { now, flavor: 'force', signs: (i, s) => (seen.push(`${i.subject} signs ${s.subject}`), true) });
    assert.deepEqual(seen, ['CN=Issuer B signs CN=leaf.example', 'CN=Root B signs CN=Issuer B']);
  });

  it('accepts a lone uploaded certificate (nothing to check), and refuses when nothing was uploaded', () => {
    const lone: CandidateChain = { certs: [leaf], uploadedOrder: true };
    assert.equal(rankChains([lone], [], { now, flavor: 'force', signs: () => false }).chains[0]!.chain, lone);
    assert.throws(() => rankChains([better], platforms, { now, flavor: 'force', signs: () => true }), { code: 1200 });
    assert.throws(() => rankChains([uploaded], platforms, { now, flavor: 'force' }), TypeError);
  });
});

describe('bundler rank: no candidate', () => {
  it('fails with cfssl code 1220 (unknown authority)', () => {
    assert.throws(() => rankChains([], [], { now }), { name: 'RankError', code: 1220 });
  });
});
