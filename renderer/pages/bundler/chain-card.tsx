// One candidate chain: its rank (the first is the one bundled), the graph, where and why it lost
// to the chosen one, its warnings, the platforms that trust its root, and the ranking's reasons.
import { Badge } from '../../components/badge.tsx';
import type { RankedChainView } from './bundler-contract.ts';
import { certName, scoreName } from './bundler-format.ts';
import { ChainGraph } from './chain-graph.tsx';

export function chainHeadingId(chain: RankedChainView): string {
  return `bundler-chain-${chain.rank}`;
}

export function ChainCard({ chain, uploaded }: { chain: RankedChainView; uploaded: ReadonlySet<string> }) {
  const chosen = chain.rank === 1;
  const root = chain.certs.at(-1);
  const headingId = chainHeadingId(chain);
  return (
    <article
      className="bundler-chain"
      data-testid="bundler-chain"
      data-rank={chain.rank}
      data-chosen={chosen}
      data-root={root?.fingerprint}
      data-root-name={root ? certName(root) : undefined}
      aria-labelledby={headingId}
    >
      <h3 id={headingId} tabIndex={-1}>
        <span className="bundler-rank">#{chain.rank}</span>
        {chosen && <Badge tone="ok">chosen</Badge>} to {root ? certName(root) : '?'}
        <span className="unit">
          {chain.certs.length} certificate{chain.certs.length === 1 ? '' : 's'}
        </span>
      </h3>
      <ChainGraph chain={chain} uploaded={uploaded} />
      {chain.lostAt && (
        <p className="bundler-lost" data-testid="bundler-lost" data-step={chain.lostAt.step}>
          Lost at <strong>{scoreName(chain.lostAt.step)}</strong>: {chain.lostAt.reason}
        </p>
      )}
      {chain.warnings.length > 0 && (
        <ul className="bundler-warnings" aria-label={`Warnings for chain ${chain.rank}`}>
          {chain.warnings.map((warning, index) => (
            <li key={`${warning.code}-${index}`} data-testid="bundler-warning" data-code={warning.code}>
              <Badge tone={warning.code === 'W_NO_PLATFORMS' ? 'info' : 'warn'}>{warning.code}</Badge> {warning.message}
            </li>
          ))}
        </ul>
      )}
      <p className="bundler-trusted" data-testid="bundler-trusted-by">
        {chain.trustedBy.length > 0 ? (
          <>
            <span className="muted">Root trusted by {chain.trustedBy.length}:</span> {chain.trustedBy.join(', ')}
          </>
        ) : (
          <span className="error">No platform of the trust data trusts this root.</span>
        )}
      </p>
      {chain.explanations.length > 0 && (
        <details className="bundler-why" open={chosen}>
          <summary>Why this rank ({chain.explanations.length} reasons)</summary>
          <ul>
            {chain.explanations.map((line, index) => (
              <li key={index}>{line}</li>
            ))}
          </ul>
        </details>
      )}
    </article>
  );
}
