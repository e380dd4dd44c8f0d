// The last operator actions (host.audit): who did what to which engine, the config keys it
// changed, how it ended; the whole log downloads as JSON lines, hash chain included, so it can be
// checked elsewhere. Refreshed every 5 s and after each engine change.
import { useCallback } from 'react';
import type { OperatorAuditEntry } from '../../../engine/api/index.ts';
import type { ApiClient } from '../../api/client.ts';
import { Badge } from '../../components/badge.tsx';
import { saveFile } from '../../components/bytes.ts';
import { DataTable, type Column } from '../../components/data-table.tsx';
import { describeError } from '../../components/errors.ts';
import { FormStatus } from '../../components/form-status.tsx';
import { formatCount, formatLocalDateTime, formatLocalTime } from '../../components/format.ts';
import { useFormCall } from '../../components/use-form-call.ts';
import { usePolling } from '../../components/use-polling.ts';

const columns: Column[] = ['When', 'Action', 'Who', 'What', 'Result'];
const shown = 10;
/** The export takes the whole log up to the API's bound. */
const exportLimit = 10_000;

function what(entry: OperatorAuditEntry): string {
  const { engine, upstream, enabled, name, changes, phase, removed } = entry.details;
  const parts = [engine, upstream !== undefined ? `${upstream} ${enabled ? 'enabled' : 'disabled'}` : null, name !== undefined ? `flush ${name}` : null];
  if (typeof removed === 'number') parts.push(`${formatCount(removed)} removed`);
  if (typeof phase === 'string') parts.push(phase);
  if (Array.isArray(changes)) parts.push(changes.length === 0 ? 'no change' : changes.join('; '));
  return parts.filter((part) => part !== null && part !== undefined).join(' · ');
}

export function OperatorLog({ client, version }: { client: ApiClient; version: number }) {
  const load = useCallback(() => client.call('host.audit', { limit: shown }), [client]);
  const { data, error } = usePolling(load, 5000, [version]);
  const call = useFormCall();

  const download = () =>
    call.run('Could not export the operator log', async () => {
      const { entries, check } = await client.call('host.audit', { limit: exportLimit });
      const lines = [...entries].reverse().map((entry) => JSON.stringify(entry));
      const fileName = `signalbox-operator-audit-${new Date().toISOString().slice(0, 19).replace(/:/g, '')}.jsonl`;
      saveFile(lines.join('\n') + '\n', fileName, 'application/x-ndjson');
      return `Saved ${fileName}: ${formatCount(entries.length)} entries, chain ${check.ok ? 'intact' : `broken at ${check.brokenAt}`}.`;
    });

  return (
    <>
      {error !== null && <p className="notice error">Could not read the operator log: {describeError(error)}</p>}
      {data && !data.check.ok && (
        <p className="notice error" role="alert">
          The operator log's hash chain is broken at entry {data.check.brokenAt}: {data.check.reason}. Keep the file for review.
        </p>
      )}
      {data && data.entries.length === 0 && (
        <p className="muted">No operator action yet: config changes, flushes, upstream switches, restarts and upgrades show here.</p>
      )}
      {data && data.entries.length > 0 && (
        <DataTable columns={columns} testId="operator-log">
          <tbody>
            {data.entries.map((entry) => (
              <tr key={entry.seq} data-testid="operator-log-row" data-event={entry.event}>
                <td>
                  <time dateTime={entry.at} title={formatLocalDateTime(Date.parse(entry.at))}>
                    {formatLocalTime(Date.parse(entry.at))}
                  </time>
                </td>
                <td>{entry.event}</td>
                <td>{entry.actor ?? '—'}</td>
                <td className="wrap">{what(entry)}</td>
                <td>
                  <Badge tone={entry.details.result === 'refused' ? 'bad' : 'ok'}>{String(entry.details.result ?? 'done')}</Badge>
                </td>
              </tr>
            ))}
          </tbody>
        </DataTable>
      )}
      <p className="health-notify">
        <button type="button" onClick={() => void download()} disabled={call.busy} data-testid="operator-log-export">
          {call.busy ? 'Exporting…' : 'Export the operator log (JSON lines)'}
        </button>
      </p>
      <FormStatus result={call.result} error={call.error} testId="operator-log-export" />
    </>
  );
}
