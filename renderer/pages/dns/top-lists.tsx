// The most asked names and the busiest clients in the engine's query log ring (dns.top, every 3 s).
// Choosing one filters the log on it.
import type { QueryLogFilter } from '../../../engine/api/index.ts';
import type { ApiClient } from '../../api/client.ts';
import { describeError } from '../../components/errors.ts';
import { formatCount } from '../../components/format.ts';
import { Panel } from '../../components/panel.tsx';
import { usePolling } from '../../components/use-polling.ts';

type Ranked = { key: string; count: number }[];

export function TopLists({ client, onFilter }: { client: ApiClient; onFilter(filter: QueryLogFilter): void }) {
  const { data, error } = usePolling(() => client.call('dns.top', { limit: 10 }), 3000, [client]);
  return (
    <Panel headingId="dns-top-heading" title="Top in the query log" error={error !== null && `Top lists are not updating: ${describeError(error)}`}>
      <div className="dns-top-lists">
        <TopList title="Names" testId="dns-top-names" items={data?.names} filterLabel="Show queries for" onPick={(key) => onFilter({ qname: key })} />
        <TopList title="Clients" testId="dns-top-clients" items={data?.clients} filterLabel="Show queries from" onPick={(key) => onFilter({ client: key })} />
      </div>
    </Panel>
  );
}

export function TopList({
  title,
  testId,
  items,
  filterLabel,
  onPick,
}: {
  title: string;
  testId: string;
  items: Ranked | undefined;
  filterLabel: string;
  onPick(key: string): void;
}) {
  const max = Math.max(1, ...(items ?? []).map((item) => item.count));
  return (
    <div>
      <h3>{title}</h3>
      {items === undefined ? (
        <p className="muted">Loading…</p>
      ) : items.length === 0 ? (
        <p className="muted">No queries yet.</p>
      ) : (
        <ol className="dns-top-list" data-testid={testId}>
          {items.map((item) => (
            <li key={item.key}>
              <button type="button" className="link-button" onClick={() => onPick(item.key)} aria-label={`${filterLabel} ${item.key} (${item.count})`}>
                {item.key}
              </button>
              <span className="num">{formatCount(item.count)}</span>
              <span className="dns-top-bar" aria-hidden="true" style={{ width: `${(item.count / max) * 100}%` }} />
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
