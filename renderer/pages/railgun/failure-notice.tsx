// What went wrong since the engine started: the latest failure with its reason and time
// ("origin unreachable: connect ECONNREFUSED 127.0.0.1:8000"), and the errors by kind, so an
// operator whose clients get 502s sees why without reading the log.
import type { ErrorsByKind, FailureKind, Savings } from '../../../engine/api/index.ts';
import { formatCount, formatLocalDateTime, formatLocalTime } from '../../components/format.ts';

/** How each kind reads, as the start of the failure's line. */
export const failureLabels: Record<FailureKind, string> = {
  'origin-refused': 'origin unreachable',
  'origin-unreachable': 'origin unreachable',
  'origin-timeout': 'origin timed out',
  'origin-5xx': 'origin error',
  'link-down': 'link down',
  pair: 'the pair could not answer',
};

const kindNames: Record<FailureKind, string> = {
  'origin-refused': 'refused',
  'origin-unreachable': 'unreachable',
  'origin-timeout': 'timeouts',
  'origin-5xx': '5xx',
  'link-down': 'link down',
  pair: 'pair',
};

/** "refused 3 · 5xx 1": the kinds that happened, most first. */
export function describeKinds(errors: ErrorsByKind): string {
  return (Object.entries(errors) as [FailureKind, number][])
    .filter(([, count]) => count > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([kind, count]) => `${kindNames[kind]} ${formatCount(count)}`)
    .join(' · ');
}

export function FailureNotice({ totals, since }: { totals: Savings; since: number }) {
  const last = totals.lastFailure;
  if (!last) return null;
  return (
    <div className="notice railgun-failure" role="status" data-testid="railgun-failure">
      <p>
        <strong data-testid="railgun-failure-reason">
          {failureLabels[last.kind]}: {last.message}
        </strong>{' '}
        <span className="muted">
          — last at{' '}
          <time dateTime={new Date(last.at).toISOString()} title={formatLocalDateTime(last.at)} data-testid="railgun-failure-at">
            {formatLocalTime(last.at)}
          </time>
        </span>
      </p>
      <p className="muted" data-testid="railgun-failure-kinds">
        {formatCount(totals.errors)} failed since the engine started at {formatLocalDateTime(since)}: {describeKinds(totals.errorsByKind)}.
        {last.kind.startsWith('origin-') &&
          last.kind !== 'origin-5xx' &&
          ' Check that the origin runs and that the listener can reach it (the config’s Origin).'}
      </p>
    </div>
  );
}
