// One row per engine process: what it is doing, since when, what it costs and how it last ended.
import type { EngineState } from '../../../engine/api/index.ts';
import type { ApiClient } from '../../api/client.ts';
import { useCan } from '../../api/identity.ts';
import { DataTable, type Column } from '../../components/data-table.tsx';
import { EngineFailure } from '../../components/engine-failure.tsx';
import { EngineStatusBadge } from '../../components/engine-status-badge.tsx';
import { formatAgo, formatDuration, formatLocalDateTime, secondsUntil } from '../../components/format.ts';
import { MemoryCell } from '../../components/memory-cell.tsx';
import { useFormCall } from '../../components/use-form-call.ts';

const columns: Column[] = [
  'Engine',
  'Status',
  { num: 'PID' },
  { num: 'Uptime' },
  { num: 'Restarts' },
  { num: 'Memory (RSS)' },
  'Last exit',
  { action: 'Actions' },
];

export function EngineTable({ client, engines, now }: { client: ApiClient; engines: EngineState[]; now: number }) {
  if (engines.length === 0) {
    return (
      <p className="notice">
        No engines are enabled in this host's config. Enable one under <code>engines:</code> in signalbox.yaml and start the host again.
      </p>
    );
  }
  return (
    <DataTable columns={columns} testId="engine-table">
      <tbody>
        {engines.map((engine) => (
          <EngineRow key={engine.name} client={client} engine={engine} now={now} />
        ))}
      </tbody>
    </DataTable>
  );
}

function EngineRow({ client, engine, now }: { client: ApiClient; engine: EngineState; now: number }) {
  const { name } = engine;
  const call = useFormCall();
  const can = useCan('host.restartEngine');

  const restart = async () => {
    const sure = window.confirm(`Restart the ${name} engine?\n\nIts process is stopped and a new one started; calls in flight to it fail.`);
    if (!sure) return;
    await call.run(`Could not restart ${name}`, async () => {
      await client.call('host.restartEngine', { name });
    });
  };

  return (
    <>
      <tr data-testid={`engine-row-${name}`} data-status={engine.status}>
        <th scope="row">{name}</th>
        <td>
          <EngineStatusBadge status={engine.status} />
          {engine.status === 'crashed' && engine.restartAt !== null && (
            <span className="muted after-badge">restarting in {secondsUntil(engine.restartAt, now)} s</span>
          )}
        </td>
        <td className="num" data-testid={`engine-pid-${name}`}>
          {engine.pid ?? '—'}
        </td>
        <td className="num">{engine.startedAt === null ? '—' : formatDuration(now - engine.startedAt)}</td>
        <td className="num" data-testid={`engine-restarts-${name}`}>
          {engine.restarts}
        </td>
        <MemoryCell bytes={engine.rssBytes} />
        <td>{engine.lastExit ? <LastExit exit={engine.lastExit} now={now} /> : '—'}</td>
        <td className="action">
          <button
            type="button"
            onClick={() => void restart()}
            disabled={call.busy || !can.allowed}
            title={can.reason}
            aria-label={`Restart ${name}`}
            data-testid={`engine-restart-${name}`}
          >
            {call.busy ? 'Restarting…' : 'Restart'}
          </button>
        </td>
      </tr>
      {engine.lastError && (
        <tr className="row-error">
          <td colSpan={columns.length}>
            <EngineFailure engine={name} failure={engine.lastError} />
          </td>
        </tr>
      )}
      {call.error && (
        <tr className="row-error">
          <td colSpan={columns.length} role="alert">
            {call.error}
          </td>
        </tr>
      )}
    </>
  );
}

function LastExit({ exit, now }: { exit: NonNullable<EngineState['lastExit']>; now: number }) {
  return (
    <>
      {exit.signal ?? `code ${exit.code}`}
      <time className="muted after-badge" dateTime={new Date(exit.at).toISOString()} title={formatLocalDateTime(exit.at)}>
        {formatAgo(exit.at, now)}
      </time>
    </>
  );
}
