// The live query log: newest on top, virtualized (only the rows in view exist), Pause/Follow, and
// the engine-side filters. Arrow keys move through the rows, Enter opens a row's packets.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent, type Ref } from 'react';
import type { QueryLogEntry, QueryLogFilter } from '../../../engine/api/index.ts';
import type { ApiClient } from '../../api/client.ts';
import { formatCount, formatLatency, formatLocalTime } from '../../components/format.ts';
import { Panel } from '../../components/panel.tsx';
import { formatLogTime, localZoneName, qtypeName, rcodeName } from './dns-names.ts';
import { LogFilters } from './log-filters.tsx';
import { logCapacity, useQueryLog } from './use-query-log.ts';

const rowHeight = 24;

interface Props {
  client: ApiClient;
  filter: QueryLogFilter;
  upstreams: string[];
  selectedSeq: number | null;
  onFilter(filter: QueryLogFilter): void;
  onOpen(entry: QueryLogEntry): void;
  headingRef: Ref<HTMLHeadingElement>;
}

export function QueryLog({ client, filter, upstreams, selectedSeq, onFilter, onOpen, headingRef }: Props) {
  const log = useQueryLog(client, filter);
  const { buffer, following } = log;
  const scroller = useRef<HTMLDivElement>(null);
  const id = useId();
  const zone = useMemo(localZoneName, []);
  const [activeSeq, setActiveSeq] = useState<number | null>(null);

  const virtualizer = useVirtualizer({
    count: buffer.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => rowHeight,
    getItemKey: (index) => buffer.newest(index)?.seq ?? index,
    overscan: 10,
    useFlushSync: false,
  });

  const follow = () => {
    log.follow();
    virtualizer.scrollToOffset(0);
  };

  // Scrolling down to read stops the list moving under the reader; Follow starts it again.
  const onScroll = () => {
    if (following && (scroller.current?.scrollTop ?? 0) > rowHeight * 2) log.pause();
  };

  const indexOfSeq = (seq: number): number => {
    // Seqs fall from the newest entry down: a binary search finds one among 50,000 at once.
    let low = 0;
    let high = buffer.length - 1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      const at = buffer.newest(mid)!.seq;
      if (at === seq) return mid;
      if (at > seq) low = mid + 1;
      else high = mid - 1;
    }
    return -1;
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (buffer.length === 0) return;
    const current = activeSeq === null ? -1 : indexOfSeq(activeSeq);
    const page = Math.max(1, Math.floor((scroller.current?.clientHeight ?? rowHeight) / rowHeight) - 1);
    const moves: Record<string, number> = {
      ArrowDown: current + 1,
      ArrowUp: current - 1,
      PageDown: current + page,
      PageUp: current - page,
      Home: 0,
      End: buffer.length - 1,
    };
    if (event.key === 'Enter' || event.key === ' ') {
      const entry = current >= 0 ? buffer.newest(current) : undefined;
      if (entry) {
        event.preventDefault();
        onOpen(entry);
      }
      return;
    }
    const target = moves[event.key];
    if (target === undefined) return;
    event.preventDefault();
    const index = Math.min(buffer.length - 1, Math.max(0, target));
    setActiveSeq(buffer.newest(index)!.seq);
    virtualizer.scrollToIndex(index, { align: 'auto' });
  };

  // A new filter is a new list: nothing is active in it yet.
  const key = JSON.stringify(filter);
  useEffect(() => {
    setActiveSeq(null);
    scroller.current?.scrollTo({ top: 0 });
  }, [key]);

  const activeIndex = activeSeq === null ? -1 : indexOfSeq(activeSeq);
  const rowId = (seq: number) => `${id}-row-${seq}`;

  return (
    <Panel
      headingId="dns-log-heading"
      title="Query log"
      headingRef={headingRef}
      aside={
        <div className="dns-log-status" data-testid="dns-log-status">
          <span>
            {formatCount(buffer.length)} shown<span className="muted"> (newest {formatCount(logCapacity)} kept)</span>
          </span>
          {log.restartedAt !== null && (
            <span className="muted" title="A restarted engine starts a new query log; the list started over with it">
              started over at {formatLocalTime(log.restartedAt)} (engine restart)
            </span>
          )}
          {log.dropped > 0 && (
            <span className="warn" title="Entries the engine could not send because the console fell behind; the engine's own ring still has them">
              {formatCount(log.dropped)} not received
            </span>
          )}
          {!following && (
            <span className="info" data-testid="dns-log-waiting">
              {formatCount(log.waiting)} new waiting{log.waiting > logCapacity ? ` (the newest ${formatCount(logCapacity)} will be shown)` : ''}
            </span>
          )}
          <button type="button" onClick={following ? log.pause : follow} data-testid="dns-log-follow">
            {following ? 'Pause' : 'Follow'}
          </button>
        </div>
      }
    >
      <LogFilters filter={filter} upstreams={upstreams} onChange={onFilter} />
      {log.error && (
        <p className="notice error" role="alert">
          {log.error}
        </p>
      )}
      <div
        className="dns-log"
        role="grid"
        aria-labelledby="dns-log-heading"
        aria-rowcount={buffer.length + 1}
        aria-readonly="true"
        data-testid="dns-log"
        data-following={String(following)}
        data-loading={String(log.loading)}
      >
        <div className="dns-log-row column-heads" role="row" aria-rowindex={1}>
          <span role="columnheader">Time ({zone})</span>
          <span role="columnheader">Client</span>
          <span role="columnheader">Proto</span>
          <span role="columnheader">Name</span>
          <span role="columnheader">Type</span>
          <span role="columnheader">Rcode</span>
          <span role="columnheader">Upstream</span>
          <span role="columnheader" title="The zone of the route the name took">
            Route
          </span>
          <span role="columnheader" className="num">
            Latency
          </span>
          <span role="columnheader">Cache</span>
          <span role="columnheader">RRL</span>
          <span role="columnheader" title="CNAME flattened">
            Flat
          </span>
        </div>
        <div
          ref={scroller}
          className="dns-log-scroll"
          tabIndex={0}
          role="rowgroup"
          aria-label="Queries, newest first"
          aria-activedescendant={activeIndex >= 0 ? rowId(activeSeq!) : undefined}
          onScroll={onScroll}
          onKeyDown={onKeyDown}
          onFocus={() => {
            if (activeSeq === null && buffer.length > 0) setActiveSeq(buffer.newest(0)!.seq);
          }}
        >
          <div className="dns-log-sizer" style={{ height: virtualizer.getTotalSize() }}>
            {virtualizer.getVirtualItems().map((item) => {
              const entry = buffer.newest(item.index);
              if (!entry) return null;
              return (
                <LogRow
                  key={item.key}
                  id={rowId(entry.seq)}
                  entry={entry}
                  rowIndex={item.index + 2}
                  top={item.start}
                  active={entry.seq === activeSeq}
                  selected={entry.seq === selectedSeq}
                  onClick={() => {
                    setActiveSeq(entry.seq);
                    onOpen(entry);
                  }}
                />
              );
            })}
          </div>
          {buffer.length === 0 && (
            <p className="dns-log-empty muted">
              {log.loading ? 'Loading recent queries…' : 'No queries match yet; new ones appear here as they are answered.'}
            </p>
          )}
        </div>
      </div>
    </Panel>
  );
}

interface RowProps {
  id: string;
  entry: QueryLogEntry;
  rowIndex: number;
  top: number;
  active: boolean;
  selected: boolean;
  onClick(): void;
}

function LogRow({ id, entry, rowIndex, top, active, selected, onClick }: RowProps) {
  const rcode = rcodeName(entry.rcode);
  return (
    <div
      id={id}
      className="dns-log-row"
      role="row"
      aria-rowindex={rowIndex}
      aria-selected={selected}
      data-active={active || undefined}
      data-testid="dns-log-row"
      data-qname={entry.qname}
      data-seq={entry.seq}
      style={{ transform: `translateY(${top}px)` }}
      onClick={onClick}
    >
      <span role="gridcell">{formatLogTime(entry.at)}</span>
      <span role="gridcell">{entry.client}</span>
      <span role="gridcell">{entry.transport}</span>
      <span role="gridcell" className="dns-log-name" title={entry.qname}>
        {entry.qname}
      </span>
      <span role="gridcell">{qtypeName(entry.qtype)}</span>
      <span role="gridcell" data-rcode={entry.rcode}>
        {rcode}
      </span>
      <span role="gridcell">{entry.upstream ?? '—'}</span>
      <span role="gridcell" data-testid="dns-log-route">
        {entry.route ?? '—'}
      </span>
      <span role="gridcell" className="num">
        {formatLatency(entry.latencyMs)}
        <span className="unit">ms</span>
      </span>
      <span role="gridcell" data-cache={entry.cache ?? undefined}>
        {entry.cache ?? '—'}
      </span>
      <span role="gridcell" data-rrl={entry.rrl ?? undefined}>
        {entry.rrl ?? '—'}
      </span>
      <span role="gridcell">{entry.flattened ? 'yes' : ''}</span>
    </div>
  );
}
