import type { ReactNode } from 'react';

/** A page with nothing to show yet: what is missing, and one sentence on what will be here. */
export function EmptyState({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="empty-state" data-testid="empty-state">
      <h2>{title}</h2>
      <p>{children}</p>
    </section>
  );
}
