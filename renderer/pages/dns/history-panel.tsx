// Looking back: the query history the host keeps (host.queryHistory), not just the live log's last
// rows. A time range (or a span dragged on the chart), the live log's filters over the whole
// retained history, the chart and top names and clients of the selection, its newest rows with
// their answers, and an export of the selection.
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import type { QueryLogFilter, ResponseOf } from '../../../engine/api/index.ts';
import type { ApiClient } from '../../api/client.ts';
import { DataTable, type Column } from '../../components/data-table.tsx';
import { describeError } from '../../components/errors.ts';
import { formatCount, formatLatency, formatLocalDateTime } from '../../components/format.ts';
import { Panel } from '../../components/panel.tsx';
import { formatLogTime, localZoneName, qtypeName, rcodeName } from './dns-names.ts';
import { HistoryChart } from './history-chart.tsx';
import { HistoryExport } from './history-export.tsx';
import { RangePicker, resolveRange, type HistoryRange } from './history-range.tsx';
import { LogFilters } from './log-filters.tsx';
import { TopList } from './top-lists.tsx';

const shownRows = 200;
const columns: Column[] = [`Time (${localZoneName()})`, 'Client', 'Name', 'Type', 'Rcode', 'Answers', 'Upstream', { num: 'Latency (ms)' }, 'Cache', 'RRL'];

type Found = ResponseOf<'host.queryHistory'> & { since: number; until: number };

export function HistoryPanel({ client, upstreams }: { client: ApiClient; upstreams: string[] }) {
  const id = useId();
  const [range, setRange] = useState<HistoryRange>({ last: 3_600_000 });
  const [filter, setFilter] = useState<QueryLogFilter>({});
  const [found, setFound] = useState<Found | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const latest = useRef(0);

  const search = useCallback(async () => {
    const asked = ++latest.current;
    const { since, until } = resolveRange(range);
    setBusy(true);
    try {
      const answer = await client.call('host.queryHistory', { since, until, filter, limit: shownRows });
      // An older search that ends late must not replace a newer one's rows.
      if (asked !== latest.current) return;
      setFound({ ...answer, since, until });
      setError(null);
    } catch (err) {
      if (asked === latest.current) setError(`Could not search the history: ${describeError(err)}`);
    } finally {
      if (asked === latest.current) setBusy(false);
    }
  }, [client, range, filter]);

  useEffect(() => void search(), [search]);

  const zoom = useCallback((since: number, until: number) => setRange({ since, until }), []);
  // The export takes what is shown: the span of the last search and its filter.
  const selection = () => ({ since: found?.since ?? resolveRange(range).since, until: found?.until ?? resolveRange(range).until, filter });
  const spansDays = found !== null && found.until - found.since > 86_400_000;

  return (
    <Panel headingId={`${id}-title`} title="Query history">
      <div className="form-row history-controls">
        <RangePicker range={range} onChange={setRange} />
        <button type="button" onClick={() => void search()} disabled={busy} data-testid="dns-history-search">
          {busy ? 'Searching…' : 'Refresh'}
        </button>
      </div>
      <LogFilters filter={filter} upstreams={upstreams} onChange={setFilter} label="Filter the query history" testIdPrefix="dns-history-filter" />
      {error && (
        <p className="error" role="alert" data-testid="dns-history-error">
          {error}
        </p>
      )}
      {found && (
        <>
          <p role="status" data-testid="dns-history-result" data-matched={found.matched}>
            {formatCount(found.matched)} queries match from {formatLocalDateTime(found.since)} to {formatLocalDateTime(found.until)}
            {found.matched > found.entries.length ? `; the newest ${formatCount(found.entries.length)} are shown` : ''}.
            {found.dropped > 0 && ` The host could not keep ${formatCount(found.dropped)} queries since it started (the disk was slower than the traffic).`}
          </p>
          <HistoryChart points={found.chart.points} since={found.since} until={found.until} bucketMs={found.chart.bucketMs} onZoom={zoom} />
          <div className="dns-top-lists" data-testid="dns-history-top">
            <TopList
              title="Top names in the range"
              testId="dns-history-top-names"
              items={found.top.names}
              filterLabel="Search the history for"
              onPick={(qname) => setFilter({ ...filter, qname })}
            />
            <TopList
              title="Top clients in the range"
              testId="dns-history-top-clients"
              items={found.top.clients}
              filterLabel="Search the history from"
              onPick={(from) => setFilter({ ...filter, client: from })}
            />
          </div>
          <HistoryExport client={client} selection={selection} />
          <div className="history-rows">
            <DataTable columns={columns} testId="dns-history" empty={found.entries.length === 0 ? 'No query in this range matches.' : undefined}>
              <tbody>
                {found.entries.map((entry, i) => (
                  <tr key={`${entry.at}-${entry.seq}-${i}`} data-testid="dns-history-row" data-qname={entry.qname}>
                    <td>{spansDays ? formatLocalDateTime(entry.at) : formatLogTime(entry.at)}</td>
                    <td>{entry.client}</td>
                    <td>{entry.qname}</td>
                    <td>{qtypeName(entry.qtype)}</td>
                    <td>{entry.rcode < 0 ? 'dropped' : rcodeName(entry.rcode)}</td>
                    <td className="history-answers" data-testid="dns-history-answers">
                      {entry.answers ?? '—'}
                    </td>
                    <td>{entry.upstream ?? '—'}</td>
                    <td className="num">{formatLatency(entry.latencyMs)}</td>
                    <td>{entry.cache ?? '—'}</td>
                    <td>{entry.rrl ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </DataTable>
          </div>
        </>
      )}
    </Panel>
  );
}
