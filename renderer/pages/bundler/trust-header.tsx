// The page's header: which trust data the chains are built against and how fresh it is, with the
// platforms and their weights one click away.
import { DataTable } from '../../components/data-table.tsx';
import type { TrustInfo } from './bundler-contract.ts';

export function TrustHeader({ trust }: { trust: TrustInfo | null }) {
  if (!trust) {
    return (
      <header className="bundler-header">
        <p className="muted">Asking the bundler for its trust data…</p>
      </header>
    );
  }
  return (
    <header className="bundler-header" aria-label="Trust data">
      <p>
        Chains are built to <strong>{trust.name}</strong> trust data:{' '}
        <span data-testid="bundler-trust-date" data-date={trust.dataDate}>
          root stores of {trust.dataDate}
        </span>
        <span className="muted">
          {' '}
          · {trust.platforms.length} platforms · {trust.intermediates.toLocaleString()} intermediates in the pool
        </span>
      </p>
      <details className="bundler-platforms">
        <summary>Platforms and weights</summary>
        <DataTable
          columns={['Platform', { num: 'Weight' }, { num: 'Roots' }]}
          empty={trust.platforms.length === 0 ? 'No platform metadata: coverage is 0 for every chain.' : undefined}
        >
          <tbody>
            {trust.platforms.map((platform) => (
              <tr key={platform.name}>
                <th scope="row">{platform.name}</th>
                <td className="num">{platform.weight}</td>
                <td className="num">{platform.roots.toLocaleString()}</td>
              </tr>
            ))}
          </tbody>
        </DataTable>
      </details>
    </header>
  );
}
