// The page's headline numbers. Each tile is a button that opens the query log on what it counts.
import type { QueryLogFilter } from '../../../engine/api/index.ts';
import { formatCount, formatRate, percentParts } from '../../components/format.ts';
import { StatTile } from '../../components/stat-tile.tsx';
import type { DnsStatsView } from './use-dns-stats.ts';

export function StatTiles({ view, onDrill, onShowUpstreams }: { view: DnsStatsView; onDrill(filter: QueryLogFilter): void; onShowUpstreams(): void }) {
  const { stats, qps, hitRatio } = view;
  if (!stats) return null;
  const servfail = stats.rcodes?.SERVFAIL ?? stats.servfail;
  const nxdomain = stats.rcodes?.NXDOMAIN ?? null;
  const enabled = stats.upstreams.filter((u) => u.enabled);
  const healthy = enabled.filter((u) => u.healthy).length;
  const rrlOff = stats.rrl === null;
  const cacheOff = stats.cache === null;

  return (
    <div className="tiles" role="group" aria-label="DNS counters">
      <StatTile
        testId="dns-tile-qps"
        label="Queries"
        value={qps === null ? '—' : formatRate(qps)}
        unit="/s"
        raw={stats.queries}
        detail={`${formatCount(stats.queries)} since start`}
        action="Show every query in the log"
        onClick={() => onDrill({})}
      />
      <StatTile
        testId="dns-tile-hit-ratio"
        label="Cache hit ratio"
        {...percentParts(hitRatio)}
        raw={hitRatio}
        detail={cacheOff ? 'cache off' : `${formatCount(stats.cache!.entries)} entries`}
        action="Show cache hits in the log"
        onClick={() => onDrill({ cache: 'hit' })}
      />
      <StatTile
        testId="dns-tile-servfail"
        label="SERVFAIL"
        value={formatCount(servfail)}
        raw={servfail}
        detail="since start"
        tone={servfail > 0 ? 'bad' : undefined}
        action="Show SERVFAIL answers in the log"
        onClick={() => onDrill({ rcode: 2 })}
      />
      <StatTile
        testId="dns-tile-nxdomain"
        label="NXDOMAIN"
        value={nxdomain === null ? '—' : formatCount(nxdomain)}
        raw={nxdomain}
        detail="since start"
        action="Show NXDOMAIN answers in the log"
        onClick={() => onDrill({ rcode: 3 })}
      />
      <StatTile
        testId="dns-tile-rrl-slipped"
        label="RRL slipped"
        value={rrlOff ? '—' : formatCount(stats.rrl!.slipped)}
        raw={stats.rrl?.slipped ?? null}
        detail={rrlOff ? 'rate limiting off' : 'sent as TC=1'}
        tone={!rrlOff && stats.rrl!.slipped > 0 ? 'warn' : undefined}
        action="Show slipped answers in the log"
        onClick={() => onDrill({ rrl: 'slip' })}
      />
      <StatTile
        testId="dns-tile-rrl-dropped"
        label="RRL dropped"
        value={rrlOff ? '—' : formatCount(stats.rrl!.dropped)}
        raw={stats.rrl?.dropped ?? null}
        detail={rrlOff ? 'rate limiting off' : stats.rrl!.wouldLimit > 0 ? `${formatCount(stats.rrl!.wouldLimit)} would (log-only)` : 'not answered'}
        tone={!rrlOff && stats.rrl!.dropped > 0 ? 'warn' : undefined}
        action="Show dropped queries in the log"
        onClick={() => onDrill({ rrl: 'drop' })}
      />
      <StatTile
        testId="dns-tile-upstreams"
        label="Upstreams healthy"
        value={`${healthy}/${stats.upstreams.length}`}
        raw={healthy}
        detail={enabled.length < stats.upstreams.length ? `${stats.upstreams.length - enabled.length} disabled` : 'all enabled'}
        tone={healthy === 0 ? 'bad' : healthy < enabled.length ? 'warn' : undefined}
        live
        action="Go to the upstream table"
        onClick={onShowUpstreams}
      />
    </div>
  );
}
