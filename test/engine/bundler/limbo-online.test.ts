// The 14 real-site chains of x509-limbo's online/ folder, built against our shipped trust data
// (resources/trust/current) at each case's validation time: each builds, and among the valid chains
// one ends at the root limbo names (the same certificate, or the same subject and key).
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseCertificate } from '../../../engine/bundler/certificate.ts';
import { buildChains, sourcesFromStore } from '../../../engine/bundler/chain/search.ts';
import { subjectAndKey } from '../../../engine/bundler/trust/index.ts';
import { pemCertificates } from '../../../engine/bundler/input/pem.ts';
import { TrustStore } from '../../../engine/bundler/trust/store.ts';
import { LIMBO_DIR, loadTestcases } from '../../limbo/harness.ts';

const online = join(LIMBO_DIR, 'online');
const files = readdirSync(online)
  .filter((f) => f.endsWith('.limbo.json'))
  .sort();
const store = TrustStore.load();
const certsOf = (pems: string[]) => pems.flatMap((p) => pemCertificates(p)).map((der) => parseCertificate(der));

test('x509-limbo online/ holds the 14 real-site chains', () => {
  assert.equal(files.length, 14);
});

for (const file of files) {
  test(`online chain ${file.replace('.limbo.json', '')} builds to the expected root at its validation time`, () => {
    const tc = loadTestcases(join(online, file))[0]!;
    const leaf = certsOf([tc.peer_certificate])[0]!;
    const expected = certsOf(tc.trusted_certs);
    const at = new Date(tc.validation_time!);
    const result = buildChains(leaf, sourcesFromStore(store, certsOf(tc.untrusted_intermediates)), {
      at,
      ...(tc.expected_peer_name ? { hostname: tc.expected_peer_name.value } : {}),
      timeBudgetMs: 60_000, // a hang guard only: the work counters below are the claim
    });
    assert.equal(result.error, null, result.error?.message);
    const valid = result.chains.filter((c) => c.valid);
    assert.ok(valid.length > 0);
    const wanted = new Set(expected.map(subjectAndKey));
    assert.ok(
      valid.some((c) => wanted.has(subjectAndKey(c.root))),
      `no valid chain ends at ${expected.map((c) => c.subject).join(' / ')}; roots found: ${valid.map((c) => c.root.subject).join(' | ')}`,
    );
    // A real site's chain is cheap: the whole search finishes far inside its work bounds (2,000
    // signature checks), counted rather than timed so a loaded machine cannot fail it.
    assert.equal(result.stats.truncated, null);
    assert.ok(result.stats.signatureChecks <= 20, `${result.stats.signatureChecks} signature checks (2-5 for these sites)`);
  });
}
