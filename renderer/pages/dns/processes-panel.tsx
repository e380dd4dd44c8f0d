// The DNS engine as the host sees it (host.watchEngines): the code version it serves, its
// processes, the upgrade control and its latest lifecycle events (crashes, restarts, upgrades).
import type { ApiClient } from '../../api/client.ts';
import { EngineEvents } from '../../components/engine-events.tsx';
import { EngineStatusBadge } from '../../components/engine-status-badge.tsx';
import { Panel } from '../../components/panel.tsx';
import { useConnection } from '../../components/use-connection.ts';
import { useHostSnapshot } from '../../components/use-host-snapshot.ts';
import { useNow } from '../../components/use-now.ts';
import { ProcessTable } from './process-table.tsx';
import { UpgradeControl } from './upgrade-control.tsx';

/** Enough to see a crash loop or the last upgrades without pushing the page down. */
const recentEvents = 6;

export function ProcessesPanel({ client }: { client: ApiClient }) {
  const { snapshot, error, retry } = useHostSnapshot(client);
  const connected = useConnection(client).status === 'open';
  const now = useNow();
  const engine = snapshot?.engines.find((e) => e.name === 'dns') ?? null;
  const events = snapshot?.events.filter((e) => e.engine === 'dns').slice(-recentEvents) ?? [];

  const problem = error && (
    <>
      The process list stopped updating: {error}{' '}
      <button type="button" onClick={retry}>
        Watch again
      </button>
    </>
  );

  return (
    <Panel
      headingId="dns-processes-heading"
      title="Processes"
      error={problem}
      className={connected ? 'dns-processes' : 'dns-processes stale'}
      data-testid="dns-processes"
    >
      {!snapshot && <p className="muted">Waiting for the host to send the engine states…</p>}
      {snapshot && !engine && <p className="muted">This host runs no DNS engine.</p>}
      {engine && (
        <>
          <p className="dns-engine-summary">
            Serving <span data-testid="dns-version">{engine.version ?? 'an unknown version'}</span> <EngineStatusBadge status={engine.status} />
            <span className="muted after-badge">
              {engine.restarts} {engine.restarts === 1 ? 'restart' : 'restarts'}
            </span>
          </p>
          <ProcessTable engine={engine} now={now} />
          <UpgradeControl client={client} live={engine.upgrade} connected={connected} now={now} />
        </>
      )}
      <h3>Recent events</h3>
      <EngineEvents events={events} now={now} testId="dns-engine-events" empty="No DNS engine events yet." />
    </Panel>
  );
}
