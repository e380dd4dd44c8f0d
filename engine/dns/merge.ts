// The DNS engine seen as one when it runs several worker processes: the host asks every worker
// and merges their answers here (counters summed, logs interleaved by time, per-second traffic
// added up). Pure functions over the API's types, so the host can use them without the engine.
import { dnsSecond, dnsStats, type DnsSecond, type DnsStats, type QueryLogEntry } from '../api/dns.ts';
import { mergeBySchema } from '../api/merge.ts';
import { hitRatioOf } from './modules/cache/contract.ts';

const sumRecords = (records: Record<string, number>[]) => {
  const out: Record<string, number> = {};
  for (const record of records) for (const [key, value] of Object.entries(record)) out[key] = (out[key] ?? 0) + value;
  return out;
};

/** Counters added up as the schema says (engine/api/dns.ts and the modules' contract.ts mark what does not add); the hit ratio computed again. */
export function mergeStats(all: DnsStats[]): DnsStats {
  const merged = mergeBySchema(dnsStats, all);
  return { ...merged, hitRatio: hitRatioOf(merged.cache) };
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

/** One second of every worker added up; latency weighted by the answers of each (engine/api/dns.ts). */
export function mergeSeconds(all: DnsSecond[]): DnsSecond {
  return mergeBySchema(dnsSecond, all);
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
    for (let offset = 24; offset + 16 <= file.length;) {
      const length = file.readUInt32LE(offset + 8);
      const bytes = file.subarray(offset, offset + 16 + length);
      records.push({ at: file.readUInt32LE(offset) * 1e6 + file.readUInt32LE(offset + 4), bytes });
      offset += 16 + length;
    }
  }
  records.sort((a, b) => a.at - b.at);
  return Buffer.concat([files[0]!.subarray(0, 24), ...records.map((record) => record.bytes)]);
}
