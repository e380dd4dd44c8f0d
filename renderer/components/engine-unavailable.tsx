// What a page shows while the host runs no such engine: how to turn it on when it is not enabled,
// or that the host is (re)starting it. Pages keep asking, so they fill in once the engine answers.
import type { ReactNode } from 'react';
import type { ApiClient } from '../api/client.ts';
import { EngineFailure } from './engine-failure.tsx';
import { describeError } from './errors.ts';
import { useHostSnapshot } from './use-host-snapshot.ts';

interface Props {
  title: string;
  testId: string;
  reason: unknown;
  /** The config that turns the engine on, as it stands in signalbox.yaml. */
  config: string;
  /** More on running it, after the config. */
  children?: ReactNode;
  /** The host, to show why the engine's last start failed. */
  client?: ApiClient;
  engine?: string;
}

export function EngineUnavailable({ title, testId, reason, config, children, client, engine }: Props) {
  const notEnabled = reason instanceof Error && /not enabled/.test(reason.message);
  return (
    <section className="empty-state engine-unavailable" data-testid={testId} aria-live="polite">
      <h2>{notEnabled ? `The ${title} engine is not enabled on this host` : `The ${title} engine is not running right now`}</h2>
      {notEnabled ? (
        <>
          <p>
            Turn it on in the host's config, <code>signalbox.yaml</code> in the data folder (or the file given with <code>--config</code>), and start the host
            again:
          </p>
          <pre className="engine-snippet">{config}</pre>
          {children}
        </>
      ) : client && engine ? (
        <StartingOrFailed client={client} engine={engine} title={title} />
      ) : (
        starting
      )}
      <p className="muted">{describeError(reason)}</p>
      <p className="muted">This page fills in by itself as soon as the engine answers.</p>
    </section>
  );
}

const starting = <p>The host is starting or restarting it (see the Overview page for its state).</p>;

/** Why its last start failed, from the host's engine states, once there is a reason. */
function StartingOrFailed({ client, engine, title }: { client: ApiClient; engine: string; title: string }) {
  const failure = useHostSnapshot(client).snapshot?.engines.find((state) => state.name === engine)?.lastError;
  return failure ? <EngineFailure engine={title} failure={failure} /> : starting;
}
