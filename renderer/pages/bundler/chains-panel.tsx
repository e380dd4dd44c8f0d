// Every candidate chain, ranked: one compact table to compare the criteria side by side (the cell
// where a chain lost is marked), then a card per chain with its graph, warnings and reasons.
import { DataTable, type Column } from '../../components/data-table.tsx';
import { Panel } from '../../components/panel.tsx';
import type { RankedChainView } from './bundler-contract.ts';
import { certName, formatScore, orderScoreKeys, scoreName, type ScoreValue } from './bundler-format.ts';
import { ChainCard, chainHeadingId } from './chain-card.tsx';

export function ChainsPanel({ chains, uploaded }: { chains: readonly RankedChainView[]; uploaded: ReadonlySet<string> }) {
  const ranked = [...chains].sort((a, b) => a.rank - b.rank);
  const keys = orderScoreKeys(ranked.flatMap((chain) => Object.keys(chain.scores))).filter((key) => !folded.has(key));
  const columns: Column[] = ['Rank', 'Root', ...keys.map((key) => (isNumeric(ranked, key) ? { num: scoreName(key) } : scoreName(key))), 'Lost at'];

  return (
    <Panel headingId="bundler-chains-heading" title="Candidate chains, ranked" aside={<span className="muted">{ranked.length} found</span>}>
      {ranked.length === 0 ? (
        <p className="muted">
          No chain reaches a root of the trust data from this leaf; the problems next to the files say why. Upload the intermediates the server sends, or check
          the time to validate at.
        </p>
      ) : (
        <>
          <DataTable columns={columns} className="bundler-scores" testId="bundler-scores">
            <tbody>
              {ranked.map((chain) => (
                <tr key={chain.id} data-rank={chain.rank} data-chosen={chain.rank === 1 || undefined}>
                  <th scope="row">
                    <button
                      type="button"
                      className="link-button"
                      onClick={() => document.getElementById(chainHeadingId(chain))?.focus()}
                      aria-label={`Chain ${chain.rank}: show its card`}
                    >
                      #{chain.rank}
                    </button>
                  </th>
                  <td>{chain.certs.length > 0 ? certName(chain.certs.at(-1)!) : '—'}</td>
                  {keys.map((key) => {
                    const lost = chain.lostAt?.step === key;
                    return (
                      <td key={key} className={isNumeric(ranked, key) ? 'num' : undefined} data-lost={lost || undefined}>
                        {scoreText(chain, key)}
                        {lost && <span className="visually-hidden"> (lost here)</span>}
                      </td>
                    );
                  })}
                  <td className="bundler-lost-cell">{chain.lostAt ? chain.lostAt.reason : <span className="muted">chosen</span>}</td>
                </tr>
              ))}
            </tbody>
          </DataTable>
          <div className="bundler-chains">
            {ranked.map((chain) => (
              <ChainCard key={chain.id} chain={chain} uploaded={uploaded} />
            ))}
          </div>
        </>
      )}
    </Panel>
  );
}

/** Parts of another score, shown in its cell rather than in columns of their own. */
const folded = new Set(['coverageMax', 'cryptoHash', 'cryptoKey']);

function scoreText(chain: RankedChainView, key: string): string {
  const { scores } = chain;
  const value = scores[key] as ScoreValue;
  if (key === 'coverage' && typeof value === 'number' && typeof scores.coverageMax === 'number') return `${value} / ${scores.coverageMax}`;
  if (key === 'cryptoQuality' && typeof value === 'number' && typeof scores.cryptoHash === 'number' && typeof scores.cryptoKey === 'number') {
    return `${value} (hash ${scores.cryptoHash} + key ${scores.cryptoKey})`;
  }
  return formatScore(value);
}

function isNumeric(chains: readonly RankedChainView[], key: string): boolean {
  return chains.every((chain) => typeof chain.scores[key] === 'number' || chain.scores[key] === null || chain.scores[key] === undefined);
}
