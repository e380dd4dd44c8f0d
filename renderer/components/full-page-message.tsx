import type { ReactNode } from 'react';

/** Fills the window when the console cannot start at all, e.g. without an access token. */
export function FullPageMessage({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div className="full-page" role="alert" data-testid="full-page-message">
      <div>
        <h1>{title}</h1>
        <p>{children}</p>
      </div>
    </div>
  );
}
