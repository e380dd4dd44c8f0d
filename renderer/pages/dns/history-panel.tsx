// Looking back: a search over the query history the host keeps (host.queryHistory), not just the
// live log's last rows. A time range, the same fields as the live filter, the newest matches and
// the top names and clients of that range.
import { useId, useState, type FormEvent } from 'react';
import type { QueryLogFilter, ResponseOf } from '../../../engine/api/index.ts';
import type { ApiClient } from '../../api/client.ts';
import { DataTable, type Column } from '../../components/data-table.tsx';
import { FormStatus } from '../../components/form-status.tsx';
import { formatCount, formatLatency } from '../../components/format.ts';
import { Panel } from '../../components/panel.tsx';
import { useFormCall } from '../../components/use-form-call.ts';
import { formatLogTime, localZoneName, qtypeName, rcodeName, rcodeNames } from './dns-names.ts';

const ranges = [
  { label: 'Last 5 minutes', ms: 5 * 60_000 },
  { label: 'Last hour', ms: 3_600_000 },
  { label: 'Last 24 hours', ms: 86_400_000 },
  { label: 'Last 7 days', ms: 7 * 86_400_000 },
] as const;

const shownRows = 200;
const columns: Column[] = [`Time (${localZoneName()})`, 'Client', 'Name', 'Type', 'Rcode', 'Upstream', { num: 'Latency (ms)' }, 'Cache'];

type Found = ResponseOf<'host.queryHistory'>;

export function HistoryPanel({ client }: { client: ApiClient }) {
  const id = useId();
  const [range, setRange] = useState<number>(ranges[1].ms);
  const [name, setName] = useState('');
  const [from, setFrom] = useState('');
  const [rcode, setRcode] = useState('');
  const [found, setFound] = useState<Found | null>(null);
  const call = useFormCall();

  const search = async (event: FormEvent) => {
    event.preventDefault();
    const filter: QueryLogFilter = {};
    if (name.trim()) filter.qname = name.trim();
    if (from.trim()) filter.client = from.trim();
    if (rcode !== '') filter.rcode = Number(rcode);
    await call.run('Could not search the history', async () => {
      const answer = await client.call('host.queryHistory', { since: Date.now() - range, filter, limit: shownRows });
      setFound(answer);
      return `${formatCount(answer.matched)} queries match${answer.matched > answer.entries.length ? `; the newest ${formatCount(answer.entries.length)} are shown` : ''}.`;
    });
  };

  return (
    <Panel headingId={`${id}-title`} title="Query history">
      <form className="form-row history-search" onSubmit={(event) => void search(event)} data-testid="dns-history-form">
        <label>
          <span>Range</span>
          <select value={range} onChange={(event) => setRange(Number(event.target.value))}>
            {ranges.map((option) => (
              <option key={option.ms} value={option.ms}>
                {option.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>Name contains</span>
          <input type="text" value={name} onChange={(event) => setName(event.target.value)} size={22} spellCheck={false} data-testid="dns-history-name" />
        </label>
        <label>
          <span>Client</span>
          <input type="text" value={from} onChange={(event) => setFrom(event.target.value)} size={14} spellCheck={false} />
        </label>
        <label>
          <span>Rcode</span>
          <select value={rcode} onChange={(event) => setRcode(event.target.value)}>
            <option value="">any</option>
            {Object.entries(rcodeNames).map(([code, label]) => (
              <option key={code} value={code}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={call.busy} data-testid="dns-history-search">
          {call.busy ? 'Searching…' : 'Search'}
        </button>
      </form>
      <FormStatus result={call.result} error={call.error} testId="dns-history" />
      {found && found.top.names.length > 0 && (
        <p className="muted" data-testid="dns-history-top">
          Top names: {found.top.names.map((top) => `${top.key} (${formatCount(top.count)})`).join(', ')} · Top clients:{' '}
          {found.top.clients.map((top) => `${top.key} (${formatCount(top.count)})`).join(', ')}
        </p>
      )}
      {found && found.entries.length > 0 && (
        <div className="history-rows">
          <DataTable columns={columns} testId="dns-history">
            <tbody>
              {found.entries.map((entry) => (
                <tr key={entry.seq} data-testid="dns-history-row" data-qname={entry.qname}>
                  <td>{formatLogTime(entry.at)}</td>
                  <td>{entry.client}</td>
                  <td>{entry.qname}</td>
                  <td>{qtypeName(entry.qtype)}</td>
                  <td>{entry.rcode < 0 ? 'dropped' : rcodeName(entry.rcode)}</td>
                  <td>{entry.upstream ?? '—'}</td>
                  <td className="num">{formatLatency(entry.latencyMs)}</td>
                  <td>{entry.cache ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </DataTable>
        </div>
      )}
    </Panel>
  );
}
