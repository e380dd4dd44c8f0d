// A page's headline number: a label, the value with its unit, a line of detail. A tile with an
// action is a button (it opens what it counts); without one it is only read.
import type { ReactNode } from 'react';

interface Props {
  testId: string;
  label: string;
  value: string;
  unit?: string;
  /** The raw number, for tests and tooltips. */
  raw: number | null;
  detail: ReactNode;
  tone?: 'bad' | 'warn';
  /** Read out when it changes: for the few numbers that say something is wrong. */
  live?: boolean;
  /** What a press does, for screen readers, e.g. "Show cache hits in the log". */
  action?: string;
  onClick?(): void;
}

export function StatTile({ testId, label, value, unit, raw, detail, tone, live, action, onClick }: Props) {
  const content = (
    <>
      <span className="tile-label">{label}</span>
      <span className="tile-value" aria-live={live ? 'polite' : undefined}>
        {value}
        {unit && <span className="unit">{unit}</span>}
      </span>
      <span className="tile-detail muted">{detail}</span>
    </>
  );
  const shared = { className: 'tile', 'data-testid': testId, 'data-value': raw ?? '', 'data-tone': tone };
  if (!onClick) return <div {...shared}>{content}</div>;
  return (
    <button type="button" {...shared} onClick={onClick}>
      {content}
      {action && <span className="visually-hidden">{action}</span>}
    </button>
  );
}
