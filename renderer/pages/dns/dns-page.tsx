// The DNS page: live counters, the per-second chart, top names and clients, the query log with its
// packet drawer, the upstreams, the engine's processes and upgrades, and the operator's controls. Each panel shows its own errors, so
// one failing call never blanks the page.
import { useCallback, useRef, useState } from 'react';
import type { QueryLogEntry, QueryLogFilter } from '../../../engine/api/index.ts';
import type { ApiClient } from '../../api/client.ts';
import { AwaitingEngine, StaleNotices } from '../../components/engine-notices.tsx';
import { EngineUnavailable } from '../../components/engine-unavailable.tsx';
import { Panel } from '../../components/panel.tsx';
import { useConnection } from '../../components/use-connection.ts';
import { CacheFlush } from './cache-flush.tsx';
import { ConfigPanel } from './config-panel.tsx';
import './dns.css';
import { PacketDrawer } from './packet-drawer.tsx';
import { PcapDownload } from './pcap-download.tsx';
import { ProcessesPanel } from './processes-panel.tsx';
import { HistoryPanel } from './history-panel.tsx';
import { QueryLog } from './query-log.tsx';
import { StatTiles } from './stat-tiles.tsx';
import { TopLists } from './top-lists.tsx';
import { TrafficChart } from './traffic-chart.tsx';
import { RouteTable } from './route-table.tsx';
import { UpstreamTable } from './upstream-table.tsx';
import { useDnsStats } from './use-dns-stats.ts';

export function DnsPage({ client }: { client: ApiClient }) {
  const view = useDnsStats(client);
  const connected = useConnection(client).status === 'open';
  const [filter, setFilter] = useState<QueryLogFilter>({});
  const [opened, setOpened] = useState<QueryLogEntry | null>(null);
  const logHeading = useRef<HTMLHeadingElement>(null);
  const upstreamHeading = useRef<HTMLHeadingElement>(null);

  const showInLog = useCallback((next: QueryLogFilter) => {
    setFilter(next);
    logHeading.current?.focus();
  }, []);
  const closeDrawer = useCallback(() => setOpened(null), []);

  const { stats, unavailable, error } = view;
  // Not enabled needs a config change and a host restart; only a restart in progress keeps the panels.
  if (unavailable && (!stats || /not enabled/.test(unavailable.message))) {
    return (
      <EngineUnavailable
        title="DNS"
        engine="dns"
        client={client}
        testId="dns-unavailable"
        reason={unavailable}
        config={'engines:\n  dns:\n    enabled: true\n    listen: ["127.0.0.1:5353"]\n    # no upstreams: it forwards to the nameservers in /etc/resolv.conf'}
      >
        <p>
          or run the DNS proxy headless, without this console, with <code>signalbox dns --listen ADDR:PORT --upstream ADDR:PORT</code>.
        </p>
      </EngineUnavailable>
    );
  }
  if (!stats) return <AwaitingEngine engine="DNS" what="counters" error={error} />;

  return (
    <div className={`page dns-page${opened ? ' with-drawer' : ''}`}>
      <StaleNotices engine="DNS" what="counters" error={error} unavailable={unavailable} connected={connected} />
      <StatTiles view={view} onDrill={showInLog} onShowUpstreams={() => upstreamHeading.current?.focus()} />
      <div className="panel-row wide-first">
        <TrafficChart client={client} />
        <TopLists client={client} onFilter={showInLog} />
      </div>
      <QueryLog
        client={client}
        filter={filter}
        upstreams={stats.upstreams.map((u) => u.address)}
        selectedSeq={opened?.seq ?? null}
        onFilter={setFilter}
        onOpen={setOpened}
        headingRef={logHeading}
      />
      <UpstreamTable
        client={client}
        upstreams={stats.upstreams}
        onChanged={view.refresh}
        onFilter={(upstream) => showInLog({ upstream })}
        headingRef={upstreamHeading}
      />
      <RouteTable stats={stats} onFilter={(route) => showInLog({ route })} />
      <ProcessesPanel client={client} />
      <div className="panel-row wide-first">
        <Panel headingId="dns-ops-heading" title="Operations">
          <CacheFlush client={client} cacheEnabled={stats.cache !== null} onFlushed={view.refresh} />
          <PcapDownload client={client} />
        </Panel>
        <ConfigPanel client={client} onApplied={view.refresh} />
      </div>
      <HistoryPanel client={client} upstreams={stats.upstreams.map((u) => u.address)} />
      {opened && <PacketDrawer client={client} entry={opened} onClose={closeDrawer} />}
    </div>
  );
}
