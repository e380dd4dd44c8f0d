// An engine's status as a badge, the same on every page.
import type { EngineStatus } from '../../engine/api/index.ts';
import { Badge, type Tone } from './badge.tsx';

const statusTone: Record<EngineStatus, Tone> = {
  running: 'ok',
  starting: 'info',
  stopping: 'info',
  crashed: 'bad',
  failed: 'bad',
  stopped: 'neutral',
};

export function EngineStatusBadge({ status }: { status: EngineStatus }) {
  return <Badge tone={statusTone[status]}>{status}</Badge>;
}
