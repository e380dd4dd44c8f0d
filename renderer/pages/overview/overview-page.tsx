import type { ApiClient } from '../../api/client.ts';
import { EngineEvents } from '../../components/engine-events.tsx';
import { useConnection } from '../../components/use-connection.ts';
import { useHealth } from '../../components/use-health.ts';
import { useHostSnapshot } from '../../components/use-host-snapshot.ts';
import { useNow } from '../../components/use-now.ts';
import { EngineTable } from './engine-table.tsx';
import { HealthFigures } from './health-figures.tsx';
import { OperatorLog } from './operator-log.tsx';
import { HostInfo } from './host-info.tsx';

export function OverviewPage({ client }: { client: ApiClient }) {
  const { snapshot, error, retry } = useHostSnapshot(client);
  const connected = useConnection(client).status === 'open';
  const now = useNow();
  const stale = snapshot !== null && !connected;
  const health = useHealth(client);

  return (
    <div className="page">
      <HostInfo client={client} now={now} />
      {error && (
        <p className="notice error" role="alert">
          Engine states stopped updating: {error}{' '}
          <button type="button" onClick={retry}>
            Watch again
          </button>
        </p>
      )}
      {stale && (
        <p className="notice" data-testid="stale-notice">
          Not connected: this is the last state the host sent; it updates again once reconnected.
        </p>
      )}
      <section aria-labelledby="health-heading" className={stale ? 'stale' : undefined}>
        <h2 id="health-heading">Health</h2>
        <HealthFigures health={health} />
      </section>
      <section aria-labelledby="engines-heading" className={stale ? 'stale' : undefined}>
        <h2 id="engines-heading">Engines</h2>
        {snapshot ? (
          <EngineTable client={client} engines={snapshot.engines} now={now} />
        ) : (
          <p className="muted">Waiting for the host to send the engine states…</p>
        )}
      </section>
      <section aria-labelledby="events-heading" className={stale ? 'stale' : undefined}>
        <h2 id="events-heading">Recent events</h2>
        {snapshot && <EngineEvents events={snapshot.events} now={now} testId="engine-events" />}
      </section>
      <section aria-labelledby="operator-heading">
        <h2 id="operator-heading">Operator actions</h2>
        <OperatorLog client={client} version={snapshot?.events.at(-1)?.at ?? 0} />
      </section>
    </div>
  );
}
