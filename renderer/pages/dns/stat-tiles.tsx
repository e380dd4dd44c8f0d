// The page's headline numbers. Each tile is a button that opens the query log on what it counts.
import type { ReactNode } from 'react';
import type { QueryLogFilter } from '../../../engine/api/index.ts';
import { formatCount, formatPercent, formatRate } from './dns-names.ts';
import type { DnsStatsView } from './use-dns-stats.ts';

interface TileProps {
  name: string;
  label: string;
  value: string;
  unit?: string;
  /** The raw number, for tests and tooltips. */
  raw: number | null;
  detail: ReactNode;
  action: string;
  tone?: 'bad' | 'warn';
  live?: boolean;
  onClick(): void;
}

function Tile({ name, label, value, unit, raw, detail, action, tone, live, onClick }: TileProps) {
  return (
    <button type="button" className="dns-tile" data-testid={`dns-tile-${name}`} data-value={raw ?? ''} data-tone={tone} onClick={onClick}>
      <span className="dns-tile-label">{label}</span>
      <span className="dns-tile-value" aria-live={live ? 'polite' : undefined}>
        {value}
        {unit && <span className="unit">{unit}</span>}
      </span>
      <span className="dns-tile-detail muted">{detail}</span>
      <span className="visually-hidden">{action}</span>
    </button>
  );
}

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
    <div className="dns-tiles" role="group" aria-label="DNS counters">
      <Tile
        name="qps"
        label="Queries"
        value={qps === null ? '—' : formatRate(qps)}
        unit="/s"
        raw={stats.queries}
        detail={`${formatCount(stats.queries)} since start`}
        action="Show every query in the log"
        onClick={() => onDrill({})}
      />
      <Tile
        name="hit-ratio"
        label="Cache hit ratio"
        value={hitRatio === null ? '—' : formatPercent(hitRatio)}
        unit={hitRatio === null ? undefined : '%'}
        raw={hitRatio}
        detail={cacheOff ? 'cache off' : `${formatCount(stats.cache!.entries)} entries`}
        action="Show cache hits in the log"
        onClick={() => onDrill({ cache: 'hit' })}
      />
      <Tile
        name="servfail"
        label="SERVFAIL"
        value={formatCount(servfail)}
        raw={servfail}
        detail="since start"
        tone={servfail > 0 ? 'bad' : undefined}
        action="Show SERVFAIL answers in the log"
        onClick={() => onDrill({ rcode: 2 })}
      />
      <Tile
        name="nxdomain"
        label="NXDOMAIN"
        value={nxdomain === null ? '—' : formatCount(nxdomain)}
        raw={nxdomain}
        detail="since start"
        action="Show NXDOMAIN answers in the log"
        onClick={() => onDrill({ rcode: 3 })}
      />
      <Tile
        name="rrl-slipped"
        label="RRL slipped"
        value={rrlOff ? '—' : formatCount(stats.rrl!.slipped)}
        raw={stats.rrl?.slipped ?? null}
        detail={rrlOff ? 'rate limiting off' : 'sent as TC=1'}
        tone={!rrlOff && stats.rrl!.slipped > 0 ? 'warn' : undefined}
        action="Show slipped answers in the log"
        onClick={() => onDrill({ rrl: 'slip' })}
      />
      <Tile
        name="rrl-dropped"
        label="RRL dropped"
        value={rrlOff ? '—' : formatCount(stats.rrl!.dropped)}
        raw={stats.rrl?.dropped ?? null}
        detail={rrlOff ? 'rate limiting off' : stats.rrl!.wouldLimit > 0 ? `${formatCount(stats.rrl!.wouldLimit)} would (log-only)` : 'not answered'}
        tone={!rrlOff && stats.rrl!.dropped > 0 ? 'warn' : undefined}
        action="Show dropped queries in the log"
        onClick={() => onDrill({ rrl: 'drop' })}
      />
      <Tile
        name="upstreams"
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
