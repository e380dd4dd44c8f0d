import { useRef } from 'react';
import { ErrorCode, type DnsStats } from '../../../engine/api/index.ts';
import { ClientError, type ApiClient } from '../../api/client.ts';
import { usePolling } from '../../components/use-polling.ts';

export interface DnsStatsView {
  stats: DnsStats | null;
  /** Queries per second: the engine's 5 s rate, else the change since the previous poll. */
  qps: number | null;
  /** Hits (stale included) over lookups since start; null before the first lookup or with no cache. */
  hitRatio: number | null;
  error: unknown;
  /** Set while the host answers that the dns engine is not enabled or not running. */
  unavailable: ClientError | null;
  /** Polls again now, after an action changed the counters. */
  refresh(): void;
}

interface Sample {
  queries: number;
  at: number;
}

export function useDnsStats(client: ApiClient): DnsStatsView {
  const previous = useRef<Sample | null>(null);
  const { data, error, refresh } = usePolling(
    async () => {
      const stats = await client.call('dns.stats', {});
      const at = performance.now();
      const last = previous.current;
      // An engine that restarted counts from zero again: no rate until two samples of the same run.
      const derived = last && stats.queries >= last.queries ? ((stats.queries - last.queries) * 1000) / Math.max(1, at - last.at) : null;
      previous.current = { queries: stats.queries, at };
      return { stats, derived };
    },
    1000,
    [client],
  );

  const unavailable = error instanceof ClientError && error.code === ErrorCode.engineUnavailable ? error : null;
  if (!data) return { stats: null, qps: null, hitRatio: null, error, unavailable, refresh };
  const { stats, derived } = data;
  return { stats, qps: typeof stats.qps === 'number' ? stats.qps : derived, hitRatio: hitRatioOf(stats), error, unavailable, refresh };
}

function hitRatioOf(stats: DnsStats): number | null {
  if (stats.hitRatio !== undefined) return stats.hitRatio;
  // Engines older than the hitRatio field: the same ratio from the cache's own counters.
  if (!stats.cache) return null;
  const hits = stats.cache.hits + stats.cache.stale;
  const lookups = hits + stats.cache.misses;
  return lookups === 0 ? null : hits / lookups;
}
