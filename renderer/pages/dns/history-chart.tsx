// The history's chart: queries, cache answers and errors per bucket over the chosen range, drawn by
// uPlot. Dragging across it selects a part of the range (uPlot's select), which becomes the new
// range (zoom in); the range fields above do the same from the keyboard.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { HistoryPoint } from '../../../engine/api/index.ts';
import { formatCount } from '../../components/format.ts';
import { followWidth } from '../../components/seconds-chart.tsx';
import { resolveColor, useThemeVersion } from '../../components/theme-colors.ts';

const height = 180;
const lines = [
  { label: 'Queries', color: '--accent', pick: (p: HistoryPoint) => p.queries },
  { label: 'From the cache', color: '--ok-fg', pick: (p: HistoryPoint) => p.cached },
  { label: 'NXDOMAIN', color: '--warn-fg', pick: (p: HistoryPoint) => p.nxdomain },
  { label: 'Errors (SERVFAIL, REFUSED, dropped)', color: '--bad-fg', pick: (p: HistoryPoint) => p.errors },
] as const;

/** Every bucket of the range, empty ones as 0 (the store only returns buckets that have queries). */
function columns(points: readonly HistoryPoint[], since: number, until: number, bucketMs: number): uPlot.AlignedData {
  const byStart = new Map(points.map((point) => [point.at, point]));
  const x: number[] = [];
  const ys: number[][] = lines.map(() => []);
  for (let at = Math.floor(since / bucketMs) * bucketMs; at < until; at += bucketMs) {
    const point = byStart.get(at);
    x.push(at / 1000);
    lines.forEach((line, i) => ys[i]!.push(point ? line.pick(point) : 0));
  }
  return [x, ...ys];
}

interface Props {
  points: readonly HistoryPoint[];
  since: number;
  until: number;
  bucketMs: number;
  /** A part of the range dragged across: [since, until) in ms. */
  onZoom(since: number, until: number): void;
}

export function HistoryChart({ points, since, until, bucketMs, onZoom }: Props) {
  const themeVersion = useThemeVersion();
  const host = useRef<HTMLDivElement>(null);
  const zoom = useRef(onZoom);
  zoom.current = onZoom;

  useEffect(() => {
    const element = host.current!;
    const muted = resolveColor('--muted', element);
    const grid = resolveColor('--border', element);
    const axis: uPlot.Axis = { stroke: muted, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    const spansDays = until - since > 86_400_000;
    const label = new Intl.DateTimeFormat(
      undefined,
      spansDays
        ? { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }
        : { hour: '2-digit', minute: '2-digit', second: bucketMs < 60_000 ? '2-digit' : undefined, hourCycle: 'h23' },
    );
    const options: uPlot.Options = {
      width: Math.max(200, element.clientWidth),
      height,
      series: [
        { value: (_: uPlot, v: number | null) => (v === null ? '—' : label.format(v * 1000)) },
        ...lines.map(({ label: name, color }) => ({
          label: name,
          stroke: resolveColor(color, element),
          width: 1.5,
          value: (_: uPlot, v: number | null) => (v === null ? '—' : formatCount(v)),
        })),
      ],
      // x spans the whole range, so a drag maps to times and quiet ends still show.
      scales: { x: { time: true, range: () => [since / 1000, until / 1000] }, y: { range: (_self, _min, max) => [0, Math.max(5, Math.ceil(max * 1.15))] } },
      axes: [
        { ...axis, space: 110, values: (_self, splits) => splits.map((s) => label.format(s * 1000)) },
        { ...axis, size: 56 },
      ],
      // Drag along x only: the selection is a time span.
      cursor: { drag: { x: true, y: false, setScale: false } },
      hooks: {
        setSelect: [
          (chart) => {
            const { left, width } = chart.select;
            if (width < 3) return;
            const from = chart.posToVal(left, 'x') * 1000;
            const to = chart.posToVal(left + width, 'x') * 1000;
            chart.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            zoom.current(Math.max(since, Math.floor(from)), Math.min(until, Math.ceil(to)));
          },
        ],
      },
    };
    const chart = new uPlot(options, columns(points, since, until, bucketMs), element);
    const unfollow = followWidth(chart, element, height);
    return () => {
      unfollow();
      chart.destroy();
    };
  }, [points, since, until, bucketMs, themeVersion]);

  const total = points.reduce((sum, point) => sum + point.queries, 0);
  return (
    <figure className="seconds-chart history-chart" data-testid="dns-history-chart" data-since={since} data-until={until}>
      <div ref={host} className="seconds-chart-canvas" aria-hidden="true" />
      <figcaption className="muted">
        {formatCount(total)} queries in {formatCount(Math.ceil((until - since) / bucketMs))} buckets of{' '}
        {bucketMs >= 60_000 ? `${bucketMs / 60_000} min` : `${bucketMs / 1000} s`}. Drag across the chart to zoom in.
      </figcaption>
    </figure>
  );
}
