// The host's lifecycle events of its engines (starts, crashes, restarts, upgrades), newest first.
import type { EngineEvent } from '../../engine/api/index.ts';
import { Badge, type Tone } from './badge.tsx';
import { formatLocalDateTime, formatLocalTime } from './format.ts';

const kindTone: Record<EngineEvent['kind'], Tone> = {
  started: 'ok',
  restarting: 'info',
  crashed: 'bad',
  failed: 'bad',
  stopped: 'neutral',
  upgrading: 'info',
  upgraded: 'ok',
  // A rolled-back upgrade leaves the old process serving: worth a look, not an outage.
  'upgrade failed': 'warn',
};

/** `events` as the host sends them (oldest first); `empty` says why there are none. */
export function EngineEvents({ events, now, testId, empty = 'No engine events yet.' }: { events: EngineEvent[]; now: number; testId: string; empty?: string }) {
  if (events.length === 0) {
    return (
      <p className="muted" data-testid={testId}>
        {empty}
      </p>
    );
  }
  return (
    <ol className="events" data-testid={testId}>
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
