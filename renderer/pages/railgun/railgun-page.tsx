// The Railgun page: what the delta link saved (tiles, the live chart, per URL), the link and its
// ends with the switch that starts and stops them, and their config. Each panel shows its own
// errors, so one failing call never blanks the page.
import type { ApiClient } from '../../api/client.ts';
import { AwaitingEngine, StaleNotices } from '../../components/engine-notices.tsx';
import { EngineUnavailable } from '../../components/engine-unavailable.tsx';
import { formatLocalDateTime } from '../../components/format.ts';
import { useConnection } from '../../components/use-connection.ts';
import { ConfigForm } from './config-form.tsx';
import { FailureNotice } from './failure-notice.tsx';
import { LinkPanel } from './link-panel.tsx';
import './railgun.css';
import { SavingsChart } from './savings-chart.tsx';
import { SavingsTiles } from './savings-tiles.tsx';
import { UrlTable } from './url-table.tsx';
import { useRailgunConfig } from './use-railgun-config.ts';
import { useRailgunStatus } from './use-railgun-status.ts';

const enableSnippet = 'engines:\n  railgun:\n    enabled: true\n    role: pair\n    origin: http://127.0.0.1:8000\n    listen: 127.0.0.1:8080';

export function RailgunPage({ client }: { client: ApiClient }) {
  const { status, error, unavailable, refresh } = useRailgunStatus(client);
  const settings = useRailgunConfig(client, refresh);
  const connected = useConnection(client).status === 'open';

  // Not enabled needs a config change and a host restart; only a restart in progress keeps the panels.
  if (unavailable && (!status || /not enabled/.test(unavailable.message))) {
    return <EngineUnavailable title="Railgun" testId="railgun-unavailable" reason={unavailable} config={enableSnippet} />;
  }
  if (!status) return <AwaitingEngine engine="Railgun" what="state" error={error} />;

  return (
    <div className="page railgun-page">
      {status.error !== null && (
        <p className="notice error" role="alert" data-testid="railgun-error">
          <strong>The ends are not running:</strong> {status.error.replace(/\.$/, '')}. Change what it names in the config below and apply, or press Start to
          try again.
        </p>
      )}
      <StaleNotices engine="Railgun" what="state" error={error} unavailable={unavailable} connected={connected} />
      <FailureNotice totals={status.totals} since={status.since} />
      <p className="muted railgun-since" data-testid="railgun-since">
        Counters since the engine started at {formatLocalDateTime(status.since)}.
      </p>
      <SavingsTiles totals={status.totals} />
      <div className="panel-row wide-first">
        <SavingsChart client={client} />
        <LinkPanel status={status} settings={settings} />
      </div>
      <UrlTable client={client} />
      <ConfigForm settings={settings} />
    </div>
  );
}
