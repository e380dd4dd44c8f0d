// What a page shows while the host runs no such engine: how to turn it on when it is not enabled,
// or that the host is (re)starting it. Pages keep asking, so they fill in once the engine answers.
import type { ReactNode } from 'react';
import { describeError } from './errors.ts';

interface Props {
  title: string;
  testId: string;
  reason: unknown;
  /** The config that turns the engine on, as it stands in signalbox.yaml. */
  config: string;
  /** More on running it, after the config. */
  children?: ReactNode;
}

export function EngineUnavailable({ title, testId, reason, config, children }: Props) {
  const notEnabled = reason instanceof Error && /not enabled/.test(reason.message);
  return (
    <section className="empty-state engine-unavailable" data-testid={testId} aria-live="polite">
      <h2>{notEnabled ? `The ${title} engine is not enabled on this host` : `The ${title} engine is not running right now`}</h2>
      {notEnabled ? (
        <>
          <p>
            Turn it on in the host's config, <code>signalbox.yaml</code> in the data folder (or the file given with <code>--config</code>), and start the
            host again:
          </p>
          <pre className="engine-snippet">{config}</pre>
          {children}
        </>
      ) : (
        <p>The host is starting or restarting it (see the Overview page for its state).</p>
      )}
      <p className="muted">{describeError(reason)}</p>
      <p className="muted">This page fills in by itself as soon as the engine answers.</p>
    </section>
  );
}
