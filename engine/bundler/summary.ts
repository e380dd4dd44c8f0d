// A short account of a bundle for a person at a terminal (`signalbox bundle` writes it to stderr):
// the leaf, the trust data, each ranked chain with why it lost, the chosen chain's warnings, problems.
import type { BundleResult } from '../api/bundler.ts';

const KEY_STATUS: Record<BundleResult['key'], string> = {
  matched: 'private key matches',
  'no-key': 'no private key given',
  mismatch: 'the private key does NOT match',
};

export function summary(result: BundleResult): string {
  const lines: string[] = [];
  const name = (card: { commonName: string | null; subject: string }) => card.commonName ?? card.subject;
  lines.push(`leaf: ${result.leaf.subject} (${result.leaf.source}: ${result.leafChoice.reason}); ${KEY_STATUS[result.key]}`);
  if (result.report.allow_sha1) lines.push('SHA-1 allowed below the root (--allow-sha1): for legacy clients only; current browsers refuse such a chain');
  lines.push(
    `trust: ${result.trust.name} (data of ${result.trust.dataDate}: ${result.trust.roots} roots, ${result.trust.intermediates} intermediates); flavor ${result.flavor}; validated at ${result.at}`,
  );
  if (result.chains.length > 0) {
    lines.push(`${result.chains.length} valid chain${result.chains.length > 1 ? 's' : ''}, best first:`);
    for (const chain of result.chains) {
      const path = chain.certs.map(name).join(' → ');
      const s = chain.scores;
      const why = chain.lostAt ? `lost at ${chain.lostAt.step}: ${chain.lostAt.reason}` : 'chosen';
      lines.push(`  ${chain.rank}. ${path}`);
      lines.push(`     coverage ${s.coverage}/${s.coverageMax}, length ${s.length}, crypto quality ${s.cryptoQuality}; ${why}`);
    }
    const warnings = result.chains[0]!.warnings;
    if (warnings.length > 0) {
      lines.push('warnings (chosen chain):');
      for (const w of warnings) lines.push(`  ${w.code}: ${w.message}`);
    }
    const inBundle = new Set(result.chains[0]!.certs.map((c) => c.fingerprint));
    const unused = result.uploaded.filter((c) => !inBundle.has(c.fingerprint));
    if (unused.length > 0) lines.push(`not in the chosen chain: ${unused.map((c) => `${name(c)} (${c.source})`).join(', ')}`);
  } else {
    lines.push('no valid chain: no bundle');
  }
  if (result.problems.length > 0) {
    lines.push('problems:');
    for (const p of result.problems) lines.push(`  ${p.code} ${p.name}: ${p.message}`);
  }
  return lines.join('\n') + '\n';
}
