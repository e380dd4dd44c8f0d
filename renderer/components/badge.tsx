import type { ReactNode } from 'react';

/** How a badge reads at a glance; the text always says it too, colour is never the only cue. */
export type Tone = 'ok' | 'info' | 'warn' | 'bad' | 'neutral';

export function Badge({ tone, children }: { tone: Tone; children: ReactNode }) {
  return (
    <span className="badge" data-tone={tone}>
      {children}
    </span>
  );
}
