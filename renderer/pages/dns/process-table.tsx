// The DNS engine's processes: its workers on the shared sockets, and during an upgrade the old
// and the new ones side by side. A worker that crashed is gone from here and back as starting.
import type { EngineProcess, EngineState } from '../../../engine/api/index.ts';
import { Badge, type Tone } from '../../components/badge.tsx';
import { DataTable, type Column } from '../../components/data-table.tsx';
import { formatDuration, formatLocalDateTime, secondsUntil } from '../../components/format.ts';
import { MemoryCell } from '../../components/memory-cell.tsx';

const statusTone: Record<EngineProcess['status'], Tone> = {
  starting: 'info',
  running: 'ok',
  draining: 'neutral',
};

const columns: Column[] = [{ num: 'Worker' }, { num: 'PID' }, 'Status', 'Version', { num: 'Uptime' }, { num: 'Memory (RSS)' }];

/** Why no process runs, in words, from the engine's own state. */
function noProcess(engine: EngineState, now: number): string {
  if (engine.status === 'crashed' && engine.restartAt !== null)
    return `No process runs: the engine crashed and restarts in ${secondsUntil(engine.restartAt, now)} s.`;
  return `No process runs: the engine is ${engine.status}.`;
}

export function ProcessTable({ engine, now }: { engine: EngineState; now: number }) {
  const processes = engine.processes.toSorted((a, b) => a.worker - b.worker || a.startedAt - b.startedAt);
  return (
    <DataTable columns={columns} empty={processes.length === 0 ? noProcess(engine, now) : undefined}>
      <tbody>
        {processes.map((proc) => (
          <tr key={proc.pid} data-testid="dns-process-row" data-pid={proc.pid} data-status={proc.status}>
            <td className="num">{proc.worker}</td>
            <td className="num">{proc.pid}</td>
            <td>
              <Badge tone={statusTone[proc.status]}>{proc.status}</Badge>
            </td>
            <td>{proc.version ?? '—'}</td>
            <td className="num" title={`started ${formatLocalDateTime(proc.startedAt)}`}>
              {formatDuration(now - proc.startedAt)}
            </td>
            <MemoryCell bytes={proc.rssBytes} />
          </tr>
        ))}
      </tbody>
    </DataTable>
  );
}
