// A live 1 s chart over the last minutes, drawn by uPlot in the theme's colours and as wide as its
// panel. The lines come from a SecondsSeries (live-seconds.ts); the caption says in words what the
// canvas shows.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Second, SecondsSeries } from './live-seconds.ts';
import { resolveColor, useThemeVersion } from './theme-colors.ts';

const height = 200;
const tick = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });

export interface ChartLine {
  label: string;
  /** A CSS variable of the theme, e.g. --accent. */
  color: string;
}

interface Props<T extends Second> {
  series: SecondsSeries<T>;
  /** LiveSeconds' version: a new one redraws. */
  version: number;
  lines: readonly ChartLine[];
  /** How a value reads in the legend. */
  format(value: number): string;
  /** How the y axis writes its values; uPlot's plain numbers when left out. */
  axisFormat?(value: number): string;
  /** The y axis reaches at least this high, so a quiet chart does not magnify noise. */
  minTop: number;
  /** Room for the y axis' labels, in px. */
  axisSize?: number;
  /**
   * 'log' when one line is a small fraction of another (link bytes are 1-2 % of origin bytes and
   * drew flat on a linear axis): uPlot's asinh scale, linear near zero and logarithmic above, so a
   * quiet second (0) still has a place.
   */
  scale?: 'linear' | 'log';
  testId: string;
  /** What the chart shows, in words, for screen readers. */
  summary: string;
}

type Look = Pick<Props<Second>, 'lines' | 'format' | 'axisFormat' | 'minTop' | 'axisSize' | 'scale'>;

/** The narrowest a time label may be given, in px: "00:00:00" in 12 px type is ~55 px wide. */
const timeLabelSpace = 90;

function chartOptions(host: HTMLElement, width: number, { lines, format, axisFormat, minTop, axisSize = 56, scale = 'linear' }: Look): uPlot.Options {
  const muted = resolveColor('--muted', host);
  const grid = resolveColor('--border', host);
  const axis: uPlot.Axis = { stroke: muted, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
  return {
    width,
    height,
    // The time in the legend as on the axis: uPlot's full date would widen the legend on hover.
    series: [
      { value: (_: uPlot, v: number | null) => (v === null ? '—' : tick.format(v * 1000)) },
      ...lines.map(({ label, color }) => ({
        label,
        stroke: resolveColor(color, host),
        width: 1.5,
        value: (_: uPlot, v: number | null) => (v === null ? '—' : format(v)),
      })),
    ],
    // From zero and a little headroom, so the lines do not jump as the maximum moves.
    scales: {
      y: {
        ...(scale === 'log' && { distr: 4, log: 10 }),
        range: (_self, _min, max) => [0, Math.max(minTop, Math.ceil(max * (scale === 'log' ? 2 : 1.15)))],
      },
    },
    // Local time of day only: five minutes never need the date, and uPlot's two-line labels crowd.
    axes: [
      // Whole seconds only: with few points uPlot would otherwise tick every half second, twice per label.
      // Labels at least timeLabelSpace apart: uPlot's 50 px made them overlap over 2-minute windows.
      { ...axis, space: timeLabelSpace, incrs: [1, 2, 5, 10, 15, 30, 60, 120, 300, 600], values: (_self, splits) => splits.map((s) => tick.format(s * 1000)) },
      { ...axis, size: axisSize, ...(axisFormat && { values: (_self: uPlot, splits: number[]) => splits.map(axisFormat) }) },
    ],
    cursor: { drag: { x: false, y: false } },
  };
}

/** Keeps a uPlot as wide as its element (at least 200 px); returns the function that stops it. */
export function followWidth(chart: uPlot, element: HTMLElement, height: number): () => void {
  const resize = new ResizeObserver(() => {
    const width = Math.max(200, element.clientWidth);
    if (width !== chart.width) chart.setSize({ width, height });
  });
  resize.observe(element);
  return () => resize.disconnect();
}

export function SecondsChart<T extends Second>({ series, version, testId, summary, ...look }: Props<T>) {
  const themeVersion = useThemeVersion();
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  // The options are read when a plot is made; a ref keeps a re-render's new closures from making one.
  const options = useRef<Look>(look);
  options.current = look;

  // A new plot per theme: uPlot takes its colours at creation.
  useEffect(() => {
    const element = host.current!;
    const chart = new uPlot(chartOptions(element, Math.max(200, element.clientWidth), options.current), series.data(), element);
    plot.current = chart;
    const unfollow = followWidth(chart, element, height);
    return () => {
      unfollow();
      chart.destroy();
      plot.current = null;
    };
  }, [series, themeVersion]);

  useEffect(() => {
    plot.current?.setData(series.data());
  }, [series, version]);

  return (
    <figure className="seconds-chart" data-testid={testId} data-points={series.x.length}>
      <div ref={host} className="seconds-chart-canvas" aria-hidden="true" />
      <figcaption className="visually-hidden">{summary}</figcaption>
    </figure>
  );
}
