// The DNS engine seen as one when it runs several worker processes: the host asks every worker
// and merges their answers here (counters summed, logs interleaved by time, per-second traffic
// added up). Pure functions over the API's types, so the host can use them without the engine.
import type { DnsSecond, DnsStats, QueryLogEntry } from '../api/dns.ts';

const sumRecords = (records: Record<string, number>[]) => {
  const out: Record<string, number> = {};
  for (const record of records) for (const [key, value] of Object.entries(record)) out[key] = (out[key] ?? 0) + value;
  return out;
};

const sumFields = <T extends Record<string, unknown>>(items: T[], fields: (keyof T)[]): Partial<T> => {
  const out: Partial<T> = {};
  for (const field of fields) out[field] = items.reduce((total, item) => total + (item[field] as number), 0) as T[keyof T];
  return out;
};

export function mergeStats(all: DnsStats[]): DnsStats {
  const first = all[0]!;
  const caches = all.map((stats) => stats.cache).filter((cache) => cache !== null);
  const rrls = all.map((stats) => stats.rrl).filter((rrl) => rrl !== null);
  const cache = caches.length ? (sumFields(caches, ['entries', 'bytes', 'hits', 'misses', 'stale', 'prefetched', 'prefetchFailed']) as NonNullable<DnsStats['cache']>) : null;
  const lookups = cache ? cache.hits + cache.misses + cache.stale : 0;
  const upstreams = first.upstreams.map((upstream) => {
    const same = all.map((stats) => stats.upstreams.find((other) => other.address === upstream.address)).filter((other) => other !== undefined);
    const latencies = same.map((other) => other.latencyMs).filter((latency) => latency !== null);
    return {
      ...upstream,
      ...sumFields(same, ['sent', 'answered', 'timeouts', 'outstanding']),
      // Healthy if any worker reaches it: workers probe on their own and may briefly disagree.
      healthy: same.some((other) => other.healthy),
      enabled: same.every((other) => other.enabled),
      latencyMs: latencies.length ? latencies.reduce((total, latency) => total + latency, 0) / latencies.length : null,
    };
  });
  return {
    ...first,
    ...sumFields(all, ['qps', 'flattened', 'queries', 'answered', 'servfail', 'formerr', 'truncated']),
    startedAt: Math.min(...all.map((stats) => stats.startedAt)),
    hitRatio: cache && lookups > 0 ? (cache.hits + cache.stale) / lookups : null,
    rcodes: sumRecords(all.map((stats) => stats.rcodes)),
    moduleErrors: sumRecords(all.map((stats) => stats.moduleErrors)),
    dropped: sumRecords(all.map((stats) => stats.dropped)) as DnsStats['dropped'],
    connections: sumRecords(all.map((stats) => stats.connections)) as DnsStats['connections'],
    cache,
    rrl: rrls.length ? { ...(sumFields(rrls, ['accounts', 'slipped', 'dropped', 'wouldLimit']) as NonNullable<DnsStats['rrl']>), limited: sumRecords(rrls.map((rrl) => rrl.limited)) } : null,
    upstreams,
  } as DnsStats;
}

/** The newest `limit` entries of all workers, oldest first. */
export function mergeEntries(all: QueryLogEntry[][], limit: number): QueryLogEntry[] {
  return all
    .flat()
    .sort((a, b) => a.at - b.at || a.seq - b.seq)
    .slice(-limit);
}

type Ranked = { key: string; count: number }[];

export function mergeTop(all: { names: Ranked; clients: Ranked }[], limit: number): { names: Ranked; clients: Ranked } {
  const merge = (lists: Ranked[]) =>
    Object.entries(sumRecords(lists.map((list) => Object.fromEntries(list.map(({ key, count }) => [key, count])))))
      .map(([key, count]) => ({ key, count }))
      .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key))
      .slice(0, limit);
  return { names: merge(all.map((top) => top.names)), clients: merge(all.map((top) => top.clients)) };
}

/** One second of every worker added up; latency weighted by the answers of each. */
export function mergeSeconds(all: DnsSecond[]): DnsSecond {
  const counted = sumFields(all, ['queries', 'hits', 'misses', 'stale', 'slipped', 'dropped', 'servfail', 'nxdomain']) as DnsSecond;
  const weighted = all.filter((second) => second.latencyMs !== null);
  const weight = weighted.reduce((total, second) => total + second.queries, 0);
  return {
    ...counted,
    at: all[0]!.at,
    latencyMs: weight > 0 ? weighted.reduce((total, second) => total + second.latencyMs! * second.queries, 0) / weight : null,
  };
}

export function mergeHistory(all: DnsSecond[][]): DnsSecond[] {
  const byAt = new Map<number, DnsSecond[]>();
  for (const seconds of all) for (const second of seconds) byAt.set(second.at, [...(byAt.get(second.at) ?? []), second]);
  return [...byAt.entries()].sort(([a], [b]) => a - b).map(([, seconds]) => mergeSeconds(seconds));
}

/** pcap files (24-byte header, then 16-byte record headers) of each worker as one, records in time order. */
export function mergePcaps(files: Buffer[]): Buffer {
  const records: { at: number; bytes: Buffer }[] = [];
  for (const file of files) {
    for (let offset = 24; offset + 16 <= file.length; ) {
      const length = file.readUInt32LE(offset + 8);
      const bytes = file.subarray(offset, offset + 16 + length);
      records.push({ at: file.readUInt32LE(offset) * 1e6 + file.readUInt32LE(offset + 4), bytes });
      offset += 16 + length;
    }
  }
  records.sort((a, b) => a.at - b.at);
  return Buffer.concat([files[0]!.subarray(0, 24), ...records.map((record) => record.bytes)]);
}
