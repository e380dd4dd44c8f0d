// The time range of the history: the last 5 minutes, hour or 24 hours (moving with the clock at each
// search), or a fixed span typed in local time or dragged across the chart.
import { useEffect, useId, useState } from 'react';
import { localZoneName } from './dns-names.ts';

export const presets = [
  { label: 'Last 5 minutes', ms: 5 * 60_000 },
  { label: 'Last hour', ms: 3_600_000 },
  { label: 'Last 24 hours', ms: 86_400_000 },
] as const;

export type HistoryRange = { last: number } | { since: number; until: number };

/** The range as absolute times, now. */
export function resolveRange(range: HistoryRange, now = Date.now()): { since: number; until: number } {
  return 'last' in range ? { since: now - range.last, until: now } : range;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** ms as a datetime-local value (local time, to the second). */
function toLocalInput(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** A datetime-local value (read as local time, as the input shows it) as ms; NaN when empty or invalid. */
const fromLocalInput = (value: string) => (value ? new Date(value).getTime() : NaN);

export function RangePicker({ range, onChange }: { range: HistoryRange; onChange(range: HistoryRange): void }) {
  const id = useId();
  const custom = !('last' in range);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [error, setError] = useState<string | null>(null);

  // A span chosen elsewhere (a drag on the chart) shows in the fields.
  useEffect(() => {
    if ('last' in range) return;
    setFrom(toLocalInput(range.since));
    setTo(toLocalInput(range.until));
  }, [range]);

  const choose = (value: string) => {
    setError(null);
    if (value !== 'custom') return onChange({ last: Number(value) });
    const { since, until } = resolveRange(range);
    onChange({ since, until });
  };

  const apply = () => {
    const since = fromLocalInput(from);
    const until = fromLocalInput(to);
    if (Number.isNaN(since) || Number.isNaN(until)) return setError('From and To: pick a date and a time for both.');
    if (until <= since) return setError('To must be later than From.');
    setError(null);
    onChange({ since, until });
  };

  return (
    <div className="history-range" role="group" aria-labelledby={`${id}-label`}>
      <label>
        <span id={`${id}-label`}>Range</span>
        <select value={custom ? 'custom' : String(range.last)} onChange={(event) => choose(event.target.value)} data-testid="dns-history-range">
          {presets.map((preset) => (
            <option key={preset.ms} value={preset.ms}>
              {preset.label}
            </option>
          ))}
          <option value="custom">Custom…</option>
        </select>
      </label>
      {custom && (
        <>
          <label>
            <span>From ({localZoneName()})</span>
            <input type="datetime-local" step={1} value={from} onChange={(event) => setFrom(event.target.value)} data-testid="dns-history-from" />
          </label>
          <label>
            <span>To</span>
            <input type="datetime-local" step={1} value={to} onChange={(event) => setTo(event.target.value)} data-testid="dns-history-to" />
          </label>
          <button type="button" onClick={apply} data-testid="dns-history-apply">
            Apply
          </button>
        </>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
