import type { EngineEvent } from '../../../engine/api/index.ts';
import { Badge, type Tone } from '../../components/badge.tsx';
import { formatLocalDateTime, formatLocalTime } from '../../components/format.ts';

const kindTone: Record<EngineEvent['kind'], Tone> = {
  started: 'ok',
  restarting: 'info',
  crashed: 'bad',
  stopped: 'neutral',
};

/** The host's lifecycle events, newest first (the host sends them oldest first). */
export function RecentEvents({ events, now }: { events: EngineEvent[]; now: number }) {
  if (events.length === 0) return <p className="muted">No engine events yet.</p>;
  return (
    <ol className="events" data-testid="engine-events">
      {events.toReversed().map((event) => (
        <li key={`${event.at}-${event.engine}-${event.kind}-${event.message}`}>
          <time dateTime={new Date(event.at).toISOString()} title={formatLocalDateTime(event.at)}>
            {formatLocalTime(event.at, now)}
          </time>
          <Badge tone={kindTone[event.kind]}>{event.kind}</Badge>
          <span>{event.message}</span>
        </li>
      ))}
    </ol>
  );
}
