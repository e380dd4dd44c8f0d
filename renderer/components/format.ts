// How the console writes times, spans, counts and sizes: local time with the zone, the reader's
// digit grouping, binary units.

const timeOfDay = new Intl.DateTimeFormat(undefined, {
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  timeZoneName: 'short',
});

const dateAndTime = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  timeZoneName: 'short',
});

/** Local time with the zone ("14:03:22 CET"); the date too when it is not today. */
export function formatLocalTime(epochMs: number, now: number = Date.now()): string {
  const day = (ms: number) => new Date(ms).toDateString();
  return day(epochMs) === day(now) ? timeOfDay.format(epochMs) : dateAndTime.format(epochMs);
}

/** Date, time and zone, for tooltips that pin an event down exactly. */
export function formatLocalDateTime(epochMs: number): string {
  return dateAndTime.format(epochMs);
}

const pad = (n: number) => String(n).padStart(2, '0');

/** A span in its two largest units: "12 s", "4 m 05 s", "2 h 14 m", "3 d 02 h". */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const days = Math.floor(total / 86_400);
  const hours = Math.floor((total % 86_400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  if (days > 0) return `${days} d ${pad(hours)} h`;
  if (hours > 0) return `${hours} h ${pad(minutes)} m`;
  if (minutes > 0) return `${minutes} m ${pad(seconds)} s`;
  return `${seconds} s`;
}

export function formatAgo(epochMs: number, now: number): string {
  return now - epochMs < 1000 ? 'just now' : `${formatDuration(now - epochMs)} ago`;
}

/** Whole seconds until a moment, rounded up so a countdown shows 1 s, not 0 s, while it waits. */
export function secondsUntil(epochMs: number, now: number): number {
  return Math.max(0, Math.ceil((epochMs - now) / 1000));
}

/** Bytes as mebibytes with one decimal; the caller writes the unit. */
export function formatMiB(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(1);
}

const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat(undefined, { minimumFractionDigits: 1, maximumFractionDigits: 1 });

export function formatCount(n: number): string {
  return integer.format(n);
}

/** Rates below 10 keep a decimal, so a trickle does not read as zero. */
export function formatRate(perSecond: number): string {
  return perSecond < 10 ? oneDecimal.format(perSecond) : integer.format(perSecond);
}

/** A ratio as a percentage with one decimal; the caller writes the unit. */
export function formatPercent(ratio: number): string {
  return oneDecimal.format(ratio * 100);
}

/** A ratio as value and unit for a tile or a cell; a dash and no unit when there is none yet. */
export function percentParts(ratio: number | null): { value: string; unit?: '%' } {
  return ratio === null ? { value: '—' } : { value: formatPercent(ratio), unit: '%' };
}

/** Milliseconds with a precision that fits: 0.042, 1.3, 27. */
export function formatLatency(ms: number): string {
  if (ms < 1) return ms.toFixed(3);
  if (ms < 10) return ms.toFixed(1);
  return integer.format(ms);
}

const sizeUnits = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

/** A size in the largest binary unit that keeps it at 1 or more: { value: '12.3', unit: 'MiB' }. */
export function sizeParts(bytes: number): { value: string; unit: (typeof sizeUnits)[number] } {
  let scaled = Math.abs(bytes);
  let unit = 0;
  while (scaled >= 1024 && unit < sizeUnits.length - 1) {
    scaled /= 1024;
    unit++;
  }
  const sign = bytes < 0 ? '-' : '';
  return { value: sign + (unit === 0 ? integer.format(scaled) : oneDecimal.format(scaled)), unit: sizeUnits[unit]! };
}

export function formatSize(bytes: number): string {
  const { value, unit } = sizeParts(bytes);
  return `${value} ${unit}`;
}
