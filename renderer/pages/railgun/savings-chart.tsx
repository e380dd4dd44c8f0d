// The live 1 s chart: bytes per second as the origin sent them and as they crossed the link, over
// the last five minutes, from `railgun.history` and then the `railgun.seconds` stream. The gap
// between the lines is what the link saved.
import { useMemo } from 'react';
import type { RailgunSecond } from '../../../engine/api/index.ts';
import type { ApiClient } from '../../api/client.ts';
import { formatSize } from '../../components/format.ts';
import { useLiveSeconds, type SecondsSeries, type SecondsSource } from '../../components/live-seconds.ts';
import { Panel } from '../../components/panel.tsx';
import { SecondsChart } from '../../components/seconds-chart.tsx';

const lines = [
  { label: 'From the origin', color: '--muted' },
  { label: 'On the link', color: '--accent' },
] as const;

const pick = [(second: RailgunSecond) => second.rawBytes, (second: RailgunSecond) => second.linkBytes];

const perSecond = (bytes: number) => `${formatSize(bytes)}/s`;

export function SavingsChart({ client }: { client: ApiClient }) {
  const source = useMemo<SecondsSource<RailgunSecond>>(
    () => ({
      subscribe: (onSecond, onEnd) => client.subscribe('railgun.seconds', {}, onSecond, onEnd),
      history: async (seconds) => (await client.call('railgun.history', { seconds })).seconds,
    }),
    [client],
  );
  const { series, version, error } = useLiveSeconds(source, pick);
  return (
    <Panel headingId="railgun-chart-heading" title="Bytes per second" error={error}>
      <SecondsChart
        series={series}
        version={version}
        lines={lines}
        format={perSecond}
        axisFormat={perSecond}
        axisSize={80}
        scale="log"
        minTop={1024}
        testId="railgun-chart"
        summary={summary(series)}
      />
    </Panel>
  );
}

function summary(series: SecondsSeries<RailgunSecond>): string {
  const latest = series.latest;
  if (!latest) return 'No traffic recorded yet.';
  return `Last second: ${latest.requests} requests, ${formatSize(latest.rawBytes)} from the origin, ${formatSize(latest.linkBytes)} on the link. The chart covers the last ${series.x.length} seconds.`;
}
