import assert from 'node:assert/strict';
import { describe, it, test } from 'node:test';
import { buildChains, type ChainSources } from '../../../../engine/bundler/chain/search.ts';
import { CertificateIndex } from '../../../../engine/bundler/trust/index.ts';
import { CLIENT_AUTH, makeCert, newKey, SERVER_AUTH, simpleChain, type Key, type Made } from './certs.ts';

const at = new Date('2026-06-01T00:00:00Z');

function sources(anchors: Made[], pool: Made[]): ChainSources {
  return {
    anchors: new CertificateIndex(anchors.map((m) => m.cert)),
    pools: [{ index: new CertificateIndex(pool.map((m) => m.cert)), source: 'uploaded' }],
  };
}

const failed = (chain: { steps: { checks: { ok: boolean; check: string; severity: string }[] }[] }) =>
  chain.steps.flatMap((s) => s.checks.filter((c) => !c.ok && c.severity === 'error').map((c) => c.check));

test('builds leaf -> intermediate -> root and explains every step', () => {
  const { root, intermediate, leaf } = simpleChain();
  const result = buildChains(leaf.cert, sources([root], [intermediate]), { at, hostname: 'www.example.com' });
  assert.equal(result.error, null);
  assert.equal(result.chains.length, 1);
  const chain = result.chains[0]!;
  assert.ok(chain.valid);
  assert.deepEqual(
    chain.certs.map((c) => c.subject),
    ['CN=www.example.com', 'CN=Test Intermediate', 'CN=Test Root'],
  );
  assert.deepEqual(chain.sources, ['leaf', 'uploaded', 'anchor']);
  assert.deepEqual(
    chain.steps.map((s) => s.role),
    ['leaf', 'intermediate', 'root'],
  );
  const leafChecks = chain.steps[0]!.checks.map((c) => c.check);
  for (const check of ['signature', 'validity', 'eku', 'hostname']) assert.ok(leafChecks.includes(check as never), check);
});

test('a self-signed leaf is refused with cfssl code 1100', () => {
  const self = makeCert({ subject: 'self.example.com', dns: ['self.example.com'] });
  const result = buildChains(self.cert, sources([], []), { at });
  assert.equal(result.error?.code, 1100);
});

test('a leaf whose issuer is nowhere gets 1220 unknown authority', () => {
  const { root, leaf } = simpleChain();
  const result = buildChains(leaf.cert, sources([root], []), { at });
  assert.equal(result.chains.length, 0);
  assert.equal(result.error?.code, 1220);
  assert.match(result.error!.message, /Test Intermediate/);
});

test('an expired intermediate gives 1211 and an invalid chain that says why', () => {
  const { root, intermediate, leaf } = simpleChain({ intermediate: { notAfter: new Date('2025-01-01T00:00:00Z') } });
  const result = buildChains(leaf.cert, sources([root], [intermediate]), { at });
  assert.equal(result.error?.code, 1211);
  assert.equal(result.chains.length, 1);
  assert.equal(result.chains[0]!.valid, false);
  assert.deepEqual(failed(result.chains[0]!), ['validity']);
  assert.match(result.error!.message, /expired on 2025-01-01/);
});

test('the same chain is valid when checked at a time inside every validity period', () => {
  const { root, intermediate, leaf } = simpleChain({ intermediate: { notAfter: new Date('2025-01-01T00:00:00Z') } });
  const result = buildChains(leaf.cert, sources([root], [intermediate]), { at: new Date('2024-06-01T00:00:00Z') });
  assert.equal(result.error, null);
});

test('an issuer that is not a CA gives 1210', () => {
  const { root, intermediate, leaf } = simpleChain({ intermediate: { ca: false } });
  const result = buildChains(leaf.cert, sources([root], [intermediate]), { at });
  assert.equal(result.error?.code, 1210);
});

test('a pathLen of 0 above another intermediate gives 1213', () => {
  const root = makeCert({ subject: 'R', ca: true });
  const a = makeCert({ subject: 'A', ca: true, pathLen: 0, issuer: root });
  const b = makeCert({ subject: 'B', ca: true, issuer: a });
  const leaf = makeCert({ subject: 'leaf', ca: false, dns: ['leaf.example'], issuer: b });
  const result = buildChains(leaf.cert, sources([root], [a, b]), { at });
  assert.equal(result.error?.code, 1213);
});

test('EKU nests: an intermediate limited to clientAuth cannot issue a server certificate (1219)', () => {
  const { root, intermediate, leaf } = simpleChain({ intermediate: { eku: [CLIENT_AUTH] } });
  const result = buildChains(leaf.cert, sources([root], [intermediate]), { at });
  assert.equal(result.error?.code, 1219);
});

test('a leaf without serverAuth gives 1214', () => {
  const { root, intermediate, leaf } = simpleChain({ leaf: { eku: [CLIENT_AUTH] } });
  assert.equal(buildChains(leaf.cert, sources([root], [intermediate]), { at }).error?.code, 1214);
});

test('name constraints: a name outside the permitted subtree gives 1212, inside passes', () => {
  const bad = simpleChain({ intermediate: { permittedDns: ['example.net'] } });
  assert.equal(buildChains(bad.leaf.cert, sources([bad.root], [bad.intermediate]), { at }).error?.code, 1212);
  const good = simpleChain({ intermediate: { permittedDns: ['example.com', 'example.org'] } });
  assert.equal(buildChains(good.leaf.cert, sources([good.root], [good.intermediate]), { at }).error, null);
  const excluded = simpleChain({ intermediate: { excludedDns: ['a.example.org'] } });
  // *.example.org can stand for a.example.org, so the exclusion applies to the wildcard.
  assert.equal(buildChains(excluded.leaf.cert, sources([excluded.root], [excluded.intermediate]), { at }).error?.code, 1212);
});

test('an unknown critical extension fails the chain', () => {
  const { root, intermediate, leaf } = simpleChain({ intermediate: { criticalUnknown: true } });
  const result = buildChains(leaf.cert, sources([root], [intermediate]), { at });
  assert.equal(result.error?.code, 1200);
  assert.deepEqual(failed(result.chains[0]!), ['criticalExtensions']);
});

test('the hostname must match a SAN: wildcards cover one label only', () => {
  const { root, intermediate, leaf } = simpleChain();
  const s = sources([root], [intermediate]);
  assert.equal(buildChains(leaf.cert, s, { at, hostname: 'a.example.org' }).error, null);
  assert.equal(buildChains(leaf.cert, s, { at, hostname: 'WWW.EXAMPLE.COM.' }).error, null);
  assert.equal(buildChains(leaf.cert, s, { at, hostname: 'a.b.example.org' }).error?.code, 1200);
  assert.equal(buildChains(leaf.cert, s, { at, hostname: 'example.com' }).error?.code, 1200);
});

test('finds every chain: a cross-signed intermediate reaches two roots', () => {
  const oldRoot = makeCert({ subject: 'Old Root', ca: true });
  const newRoot = makeCert({ subject: 'New Root', ca: true });
  const intKey = newKey();
  const viaNew = makeCert({ subject: 'Issuing CA', ca: true, key: intKey, issuer: newRoot });
  const newAsCross = makeCert({ subject: 'New Root', ca: true, key: newRoot.key, issuer: oldRoot });
  const leaf = makeCert({ subject: 'site', ca: false, dns: ['site.example'], issuer: { subject: 'Issuing CA', key: intKey } });
  const result = buildChains(leaf.cert, sources([oldRoot, newRoot], [viaNew, newAsCross]), { at });
  assert.equal(result.error, null);
  const paths = result.chains
    .filter((c) => c.valid)
    .map((c) => c.certs.map((x) => x.subject.slice(3)).join(' > '))
    .sort();
  assert.deepEqual(paths, ['site > Issuing CA > New Root', 'site > Issuing CA > New Root > Old Root']);
});

test('the same subject and key is not used twice in a path (a self-issued rollover loop ends)', () => {
  const root = makeCert({ subject: 'R', ca: true });
  const key = newKey();
  const a1 = makeCert({ subject: 'A', ca: true, key, issuer: root });
  const a2 = makeCert({ subject: 'A', ca: true, key, issuer: { subject: 'A', key } });
  const leaf = makeCert({ subject: 'leaf', ca: false, dns: ['leaf.example'], issuer: { subject: 'A', key } });
  const result = buildChains(leaf.cert, sources([root], [a1, a2]), { at });
  assert.equal(result.error, null);
  assert.ok(result.chains.every((c) => c.certs.length <= 3));
});

function cycle(size: number, fanout: number): { pool: Made[]; cas: { subject: string; key: Key }[] } {
  const cas = Array.from({ length: size }, (_, i) => ({ subject: `CA ${i}`, key: newKey() }));
  const pool: Made[] = [];
  for (let i = 0; i < size; i++) {
    for (let k = 1; k <= fanout; k++) {
      const issuer = cas[(i + k) % size]!;
      pool.push(makeCert({ subject: cas[i]!.subject, key: cas[i]!.key, ca: true, issuer }));
    }
  }
  return { pool, cas };
}

// The search's own work bounds (signature checks, nodes) are what stop a tangle, not the clock: the
// time budget is raised to 60 s here, a hang guard only, so a loaded machine cannot truncate the
// search early (or late) and the counters say how much work was done.
const hangGuard = { timeBudgetMs: 60_000 };
const workLimit = /^(signature check limit \(2000\)|search node limit \(20000\)) reached$/;

test("a pathological pool (100 CAs cross-signed in cycles, no way out) stops at the search's work bound", () => {
  const { pool, cas } = cycle(100, 5);
  const leaf = makeCert({ subject: 'victim', ca: false, dns: ['victim.example'], issuer: { subject: cas[0]!.subject, key: cas[0]!.key } });
  const unrelated = makeCert({ subject: 'Unrelated Root', ca: true });
  const result = buildChains(leaf.cert, sources([unrelated], pool), { at, ...hangGuard });
  assert.equal(result.error?.code, 1220);
  assert.match(result.stats.truncated ?? '', workLimit, 'the search reports the work limit it hit');
  assert.ok(result.stats.signatureChecks <= 2_000 && result.stats.nodes <= 20_000, JSON.stringify(result.stats));
});

test('a pathological pool with the root behind the cycle still finds a chain within the work bound', () => {
  const { pool, cas } = cycle(100, 3);
  const root = makeCert({ subject: 'Deep Root', ca: true });
  pool.push(makeCert({ subject: cas[50]!.subject, key: cas[50]!.key, ca: true, issuer: root }));
  pool.push(makeCert({ subject: cas[1]!.subject, key: cas[1]!.key, ca: true, issuer: root }));
  const leaf = makeCert({ subject: 'victim', ca: false, dns: ['victim.example'], issuer: { subject: cas[0]!.subject, key: cas[0]!.key } });
  const result = buildChains(leaf.cert, sources([root], pool), { at, ...hangGuard });
  assert.equal(result.error, null);
  assert.ok(result.chains.some((c) => c.valid && c.root.subject === 'CN=Deep Root'));
  assert.ok(result.stats.signatureChecks <= 2_000 && result.stats.nodes <= 20_000, JSON.stringify(result.stats));
});

// Issue 16 item 3: Go verifies a 16-certificate chain; chains over 10 were refused with "issuer
// neither uploaded ..." although every intermediate was uploaded and no truncation was reported.
describe('long chains', () => {
  /** root, then `intermediates` CAs each signed by the one above, then the leaf under the last. */
  function longChain(intermediates: number) {
    const root = makeCert({ subject: 'Long Root', ca: true });
    const cas = [root];
    for (let i = 1; i <= intermediates; i++) cas.push(makeCert({ subject: `Long Intermediate ${i}`, ca: true, issuer: cas[i - 1]! }));
    const leaf = makeCert({ subject: 'long.example', ca: false, dns: ['long.example'], eku: [SERVER_AUTH], issuer: cas.at(-1)! });
    return { root, uploaded: cas.slice(1).map((c) => c.cert), leaf };
  }
  const sourcesFor = (chain: ReturnType<typeof longChain>): ChainSources => ({
    anchors: new CertificateIndex([chain.root.cert]),
    pools: [{ index: new CertificateIndex(chain.uploaded), source: 'uploaded' }],
  });

  it("builds a 16-certificate chain (Go's long-chain case)", () => {
    const chain = longChain(14);
    const result = buildChains(chain.leaf.cert, sourcesFor(chain), { at: new Date('2025-01-01T00:00:00Z') });
    assert.equal(result.chains.filter((c) => c.valid).length, 1);
    assert.equal(result.chains[0]!.certs.length, 16);
    assert.equal(result.stats.depthCut, null);
  });

  it('a chain over the depth limit is refused naming the limit and the length it needs, not a missing issuer', () => {
    const chain = longChain(14);
    const result = buildChains(chain.leaf.cert, sourcesFor(chain), { at: new Date('2025-01-01T00:00:00Z'), maxDepth: 12 });
    assert.equal(result.chains.length, 0);
    assert.equal(result.error!.code, 1220);
    assert.match(
      result.error!.message,
      /before a search bound: the depth limit \(12 certificates\) is below the 16 the nearest trust anchor needs from CN=long\.example/,
    );
    assert.doesNotMatch(result.error!.message, /neither uploaded/);
  });
});
