// Savings per URL (railgun.urls, the 1,000 most recently used, every 1.5 s), sorted by a column of
// the operator's choice: bytes saved by default, most first. A filter finds one URL among many.
import { useId, useMemo, useState } from 'react';
import type { BaseOutcome, UrlSavings } from '../../../engine/api/index.ts';
import type { ApiClient } from '../../api/client.ts';
import { Badge, type Tone } from '../../components/badge.tsx';
import { DataTable, type Column } from '../../components/data-table.tsx';
import { describeError } from '../../components/errors.ts';
import { formatCount, formatLocalDateTime, formatLocalTime, percentParts, sizeParts } from '../../components/format.ts';
import { Panel } from '../../components/panel.tsx';
import { failureLabels } from './failure-notice.tsx';
import { usePolling } from '../../components/use-polling.ts';

const askedUrls = 1000;
/** Rows drawn at once: the top of the sort order; the filter reaches the rest. */
const shownRows = 200;

type SortKey = 'saved' | 'ratio' | 'requests' | 'hitRate';
type Direction = 'ascending' | 'descending';

/** Each sort's value, null sorting last; and the direction a first press picks (best first). */
const sorts: Record<SortKey, { value(url: UrlSavings): number | null; first: Direction }> = {
  saved: { value: (url) => url.rawBytes - url.linkBytes, first: 'descending' },
  ratio: { value: (url) => (url.rawBytes === 0 ? null : url.linkBytes / url.rawBytes), first: 'ascending' },
  requests: { value: (url) => url.requests, first: 'descending' },
  hitRate: { value: (url) => (url.deltaEligible === 0 ? null : url.deltaHits / url.deltaEligible), first: 'descending' },
};

const outcomes: Record<BaseOutcome, { tone: Tone; title: string }> = {
  hit: { tone: 'ok', title: 'a delta against a version both ends held' },
  miss: { tone: 'warn', title: 'the listener did not hold the version the sender named: sent in full' },
  none: { tone: 'info', title: 'the sender held no version yet: sent in full' },
  pass: { tone: 'neutral', title: 'not delta material (not a 200 GET, binary, too large or no-store): passed through' },
};

function sortRows(urls: UrlSavings[], key: SortKey, direction: Direction): UrlSavings[] {
  const { value } = sorts[key];
  const sign = direction === 'ascending' ? 1 : -1;
  return [...urls].sort((a, b) => {
    const x = value(a);
    const y = value(b);
    if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
    return (x - y) * sign || b.lastAt - a.lastAt;
  });
}

/** A number and its unit, the unit in the muted style of every unit on the page. */
function Measure({ value, unit }: { value: string; unit?: string }) {
  return (
    <>
      {value}
      {unit && <span className="unit">{unit}</span>}
    </>
  );
}

export function UrlTable({ client }: { client: ApiClient }) {
  const id = useId();
  const { data, error } = usePolling(() => client.call('railgun.urls', { limit: askedUrls }), 1500, [client]);
  const [sort, setSort] = useState<{ key: SortKey; direction: Direction }>({ key: 'saved', direction: 'descending' });
  const [filter, setFilter] = useState('');

  const urls = data?.urls;
  const matching = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    const kept = needle ? (urls ?? []).filter((url) => url.url.toLowerCase().includes(needle)) : (urls ?? []);
    return sortRows(kept, sort.key, sort.direction);
  }, [urls, filter, sort]);
  const rows = matching.slice(0, shownRows);

  const sortable = (label: string, key: SortKey): Column => ({
    num: label,
    sort: {
      direction: sort.key === key ? sort.direction : null,
      onSort: () =>
        setSort((now) =>
          now.key === key ? { key, direction: now.direction === 'ascending' ? 'descending' : 'ascending' } : { key, direction: sorts[key].first },
        ),
    },
  });
  const columns: Column[] = [
    'URL',
    'Last',
    sortable('Requests', 'requests'),
    sortable('Delta hits', 'hitRate'),
    { num: 'Origin' },
    { num: 'Link' },
    sortable('Saved', 'saved'),
    sortable('Link/origin', 'ratio'),
    { num: 'Errors' },
    'Last at',
  ];

  return (
    <Panel
      headingId={`${id}-title`}
      title="Per URL"
      error={error !== null && `The URL table is not updating: ${describeError(error)}`}
      aside={
        <label className="railgun-url-filter">
          <span className="visually-hidden">Filter URLs</span>
          <input
            type="search"
            value={filter}
            onChange={(event) => setFilter(event.target.value)}
            placeholder="Filter URLs"
            spellCheck={false}
            size={28}
            data-testid="railgun-url-filter"
          />
        </label>
      }
    >
      <DataTable
        columns={columns}
        className="railgun-urls"
        testId="railgun-urls"
        empty={
          urls === undefined
            ? 'Loading…'
            : rows.length === 0
              ? filter.trim()
                ? 'No URL matches the filter.'
                : 'No requests through the sender yet.'
              : undefined
        }
      >
        <tbody>
          {rows.map((url) => (
            <tr key={url.url} data-testid="railgun-url-row" data-url={url.url} data-requests={url.requests} data-saved={url.rawBytes - url.linkBytes}>
              <th scope="row" className="railgun-url" title={url.url}>
                {url.url}
              </th>
              <td>
                <span title={outcomes[url.lastOutcome].title}>
                  <Badge tone={outcomes[url.lastOutcome].tone}>{url.lastOutcome}</Badge>
                </span>
              </td>
              <td className="num">{formatCount(url.requests)}</td>
              <td className="num" title={`${formatCount(url.deltaHits)} of ${formatCount(url.deltaEligible)}`}>
                <Measure {...percentParts(sorts.hitRate.value(url))} />
              </td>
              <td className="num">
                <Measure {...sizeParts(url.rawBytes)} />
              </td>
              <td className="num">
                <Measure {...sizeParts(url.linkBytes)} />
              </td>
              <td className="num">
                <Measure {...sizeParts(url.rawBytes - url.linkBytes)} />
              </td>
              <td className="num">
                <Measure {...percentParts(sorts.ratio.value(url))} />
              </td>
              <td
                className="num"
                data-testid="railgun-url-errors"
                title={
                  url.lastFailure
                    ? `${failureLabels[url.lastFailure.kind]}: ${url.lastFailure.message} (${formatLocalDateTime(url.lastFailure.at)})`
                    : undefined
                }
              >
                {formatCount(url.errors)}
              </td>
              <td title={formatLocalDateTime(url.lastAt)}>{formatLocalTime(url.lastAt)}</td>
            </tr>
          ))}
        </tbody>
      </DataTable>
      {urls && matching.length > rows.length && (
        <p className="muted" role="status">
          The first {formatCount(rows.length)} of {formatCount(matching.length)} URLs in this order; the filter finds the others.
        </p>
      )}
      {urls && urls.length === askedUrls && <p className="muted">The engine reports the {formatCount(askedUrls)} most recently used URLs.</p>}
    </Panel>
  );
}
