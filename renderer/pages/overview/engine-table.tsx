// One row per engine process: what it is doing, since when, what it costs and how it last ended.
import { useState } from 'react';
import type { EngineState, EngineStatus } from '../../../engine/api/index.ts';
import type { ApiClient } from '../../api/client.ts';
import { Badge, type Tone } from '../../components/badge.tsx';
import { describeError } from '../../components/errors.ts';
import { formatAgo, formatDuration, formatLocalDateTime, formatMiB, secondsUntil } from '../../components/format.ts';

const statusTone: Record<EngineStatus, Tone> = {
  running: 'ok',
  starting: 'info',
  stopping: 'info',
  crashed: 'bad',
  stopped: 'neutral',
};

const columns = 8;

export function EngineTable({ client, engines, now }: { client: ApiClient; engines: EngineState[]; now: number }) {
  if (engines.length === 0) {
    return (
      <p className="notice">
        No engines are enabled in this host's config. Enable one under <code>engines:</code> in signalbox.yaml and
        start the host again.
      </p>
    );
  }
  return (
    <div className="table-scroll">
      <table className="data" data-testid="engine-table">
        <thead>
          <tr>
            <th scope="col">Engine</th>
            <th scope="col">Status</th>
            <th scope="col" className="num">PID</th>
            <th scope="col" className="num">Uptime</th>
            <th scope="col" className="num">Restarts</th>
            <th scope="col" className="num">Memory (RSS)</th>
            <th scope="col">Last exit</th>
            <th scope="col" className="action">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {engines.map((engine) => (
            <EngineRow key={engine.name} client={client} engine={engine} now={now} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function EngineRow({ client, engine, now }: { client: ApiClient; engine: EngineState; now: number }) {
  const { name } = engine;
  const [restarting, setRestarting] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const restart = async () => {
    const sure = window.confirm(
      `Restart the ${name} engine?\n\nIts process is stopped and a new one started; calls in flight to it fail.`,
    );
    if (!sure) return;
    setRestarting(true);
    setError(null);
    try {
      await client.call('host.restartEngine', { name });
    } catch (err) {
      setError(`Could not restart ${name}: ${describeError(err)}`);
    } finally {
      setRestarting(false);
    }
  };

  return (
    <>
      <tr data-testid={`engine-row-${name}`} data-status={engine.status}>
        <th scope="row">{name}</th>
        <td>
          <Badge tone={statusTone[engine.status]}>{engine.status}</Badge>
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
        <td className="num">
          {engine.rssBytes === null ? (
            '—'
          ) : (
            <>
              {formatMiB(engine.rssBytes)}
              <span className="unit">MiB</span>
            </>
          )}
        </td>
        <td>{engine.lastExit ? <LastExit exit={engine.lastExit} now={now} /> : '—'}</td>
        <td className="action">
          <button type="button" onClick={restart} disabled={restarting} aria-label={`Restart ${name}`}>
            {restarting ? 'Restarting…' : 'Restart'}
          </button>
        </td>
      </tr>
      {error && (
        <tr className="row-error">
          <td colSpan={columns} role="alert">
            {error}
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
