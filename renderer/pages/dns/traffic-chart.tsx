// The live 1 s chart: queries, cache hits, RRL drops + slips and SERVFAIL per second over the last
// five minutes, from `dns.history` and then the `dns.seconds` stream.
import { useMemo } from 'react';
import type { DnsSecond } from '../../../engine/api/index.ts';
import type { ApiClient } from '../../api/client.ts';
import { formatRate } from '../../components/format.ts';
import { useLiveSeconds, type SecondsSeries, type SecondsSource } from '../../components/live-seconds.ts';
import { Panel } from '../../components/panel.tsx';
import { SecondsChart } from '../../components/seconds-chart.tsx';

const lines = [
  { label: 'Queries/s', color: '--accent' },
  { label: 'Cache hits/s', color: '--ok-fg' },
  { label: 'RRL drops + slips/s', color: '--warn-fg' },
  { label: 'SERVFAIL/s', color: '--bad-fg' },
] as const;

const pick = [
  (second: DnsSecond) => second.queries,
  // Stale answers come from the cache too.
  (second: DnsSecond) => second.hits + second.stale,
  (second: DnsSecond) => second.dropped + second.slipped,
  (second: DnsSecond) => second.servfail,
];

export function TrafficChart({ client }: { client: ApiClient }) {
  const source = useMemo<SecondsSource<DnsSecond>>(
    () => ({
      subscribe: (onSecond, onEnd) => client.subscribe('dns.seconds', {}, onSecond, onEnd),
      history: async (seconds) => (await client.call('dns.history', { seconds })).seconds,
    }),
    [client],
  );
  const { series, version, error } = useLiveSeconds(source, pick);
  return (
    <Panel headingId="dns-chart-heading" title="Traffic, per second" error={error}>
      <SecondsChart series={series} version={version} lines={lines} format={formatRate} minTop={5} testId="dns-chart" summary={summary(series)} />
    </Panel>
  );
}

function summary(series: SecondsSeries<DnsSecond>): string {
  const latest = series.latest;
  if (!latest) return 'No traffic recorded yet.';
  return `Last second: ${latest.queries} queries, ${latest.hits + latest.stale} cache hits, ${latest.dropped + latest.slipped} rate-limited, ${latest.servfail} SERVFAIL. The chart covers the last ${series.x.length} seconds.`;
}
