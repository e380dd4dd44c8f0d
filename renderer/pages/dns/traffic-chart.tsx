// The live 1 s chart: queries, cache hits, RRL drops + slips and SERVFAIL per second over the last
// five minutes, drawn by uPlot in the theme's colours and as wide as its panel.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { ApiClient } from '../../api/client.ts';
import { Panel } from '../../components/panel.tsx';
import { formatRate } from './dns-names.ts';
import { resolveColor, useThemeVersion } from './theme-colors.ts';
import { useTrafficSeconds, type SecondsSeries } from './use-traffic-seconds.ts';

const height = 200;
const tick = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });

const lines = [
  { label: 'Queries/s', color: '--accent' },
  { label: 'Cache hits/s', color: '--ok-fg' },
  { label: 'RRL drops + slips/s', color: '--warn-fg' },
  { label: 'SERVFAIL/s', color: '--bad-fg' },
] as const;

function chartOptions(host: HTMLElement, width: number): uPlot.Options {
  const muted = resolveColor('--muted', host);
  const grid = resolveColor('--border', host);
  const axis: uPlot.Axis = { stroke: muted, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
  return {
    width,
    height,
    series: [{}, ...lines.map(({ label, color }) => ({ label, stroke: resolveColor(color, host), width: 1.5, value: (_: uPlot, v: number | null) => (v === null ? '—' : formatRate(v)) }))],
    // From zero and a little headroom, so the lines do not jump as the maximum moves.
    scales: { y: { range: (_self, _min, max) => [0, Math.max(5, Math.ceil(max * 1.15))] } },
    // Local time of day only: five minutes never need the date, and uPlot's two-line labels crowd.
    axes: [{ ...axis, values: (_self, splits) => splits.map((s) => tick.format(s * 1000)) }, { ...axis, size: 56 }],
    cursor: { drag: { x: false, y: false } },
  };
}

export function TrafficChart({ client }: { client: ApiClient }) {
  const { series, version, error } = useTrafficSeconds(client);
  const themeVersion = useThemeVersion();
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  // A new plot per theme: uPlot takes its colours at creation.
  useEffect(() => {
    const element = host.current!;
    const chart = new uPlot(chartOptions(element, Math.max(200, element.clientWidth)), series.data(), element);
    plot.current = chart;
    const resize = new ResizeObserver(() => {
      const width = Math.max(200, element.clientWidth);
      if (width !== chart.width) chart.setSize({ width, height });
    });
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.destroy();
      plot.current = null;
    };
  }, [series, themeVersion]);

  useEffect(() => {
    plot.current?.setData(series.data());
  }, [series, version]);

  return (
    <Panel headingId="dns-chart-heading" title="Traffic, per second" error={error}>
      <figure className="dns-chart" data-testid="dns-chart" data-points={series.x.length}>
        <div ref={host} className="dns-chart-canvas" aria-hidden="true" />
        <figcaption className="visually-hidden">{summary(series)}</figcaption>
      </figure>
    </Panel>
  );
}

function summary(series: SecondsSeries): string {
  const latest = series.latest;
  if (!latest) return 'No traffic recorded yet.';
  return `Last second: ${latest.queries} queries, ${latest.hits} cache hits, ${latest.rrl} rate-limited, ${latest.servfail} SERVFAIL. The chart covers the last ${series.x.length} seconds.`;
}
