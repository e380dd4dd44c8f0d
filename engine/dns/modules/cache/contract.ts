// The cache's part of the DNS contract: its config section, its counters in dns.stats and their
// Prometheus series. Loads in a browser too (zod and engine/api only): engine/api/dns.ts composes
// it into dnsConfig and dnsStats through engine/dns/chain.ts.
import { z } from 'zod';
import { dnsModuleContract } from '../../../api/dns-module.ts';
import { mergedAs } from '../../../api/merge.ts';

const cacheCounters = z.object({
  entries: z.number().int(),
  bytes: z.number().int(),
  hits: z.number().int(),
  misses: z.number().int(),
  stale: z.number().int(),
  prefetched: z.number().int(),
  /** Background refreshes that failed (the old entry kept serving). */
  prefetchFailed: z.number().int(),
});

/** Cache hits (stale included) over cache lookups; null before the first lookup. Computed again after a merge. */
export function hitRatioOf(cache: z.output<typeof cacheCounters> | null): number | null {
  const lookups = cache ? cache.hits + cache.misses + cache.stale : 0;
  return cache && lookups > 0 ? (cache.hits + cache.stale) / lookups : null;
}

export const cacheContract = dnsModuleContract({
  name: 'cache',
  config: {
    cache: z
      .object({
        enabled: z.boolean().default(true),
        maxEntries: z.number().int().min(1).default(100_000),
        maxBytes: z
          .number()
          .int()
          .min(4096)
          .default(64 * 1024 * 1024),
        minTtl: z.number().int().min(0).default(0),
        maxTtl: z.number().int().min(1).default(86_400),
        maxNegativeTtl: z.number().int().min(0).default(3600),
        staleMaxAgeSeconds: z.number().int().min(0).default(86_400),
        /** Refreshes a popular entry in the background shortly before it expires. */
        prefetch: z
          .object({
            enabled: z.boolean().default(true),
            /** Hits an entry must have had since it was stored to be refreshed. */
            minHits: z.number().int().min(1).default(3),
            /** Refresh once less than this share of the original TTL is left. */
            beforeExpiryPercent: z.number().min(1).max(50).default(10),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
  },
  stats: {
    /** Cache hits (stale included) over cache lookups since start; null before the first lookup. */
    hitRatio: mergedAs(z.number().nullable(), { merge: 'derived' }),
    cache: cacheCounters.nullable(),
  },
  metrics: (metric) => {
    const lookups = metric.counter('signalbox_dns_cache_lookups_total', 'Cache lookups by result.', ['result']);
    const prefetches = metric.counter('signalbox_dns_cache_prefetches_total', 'Background refreshes of popular entries before they expired, by result.', [
      'result',
    ]);
    const entries = metric.gauge('signalbox_dns_cache_entries', 'Entries in the cache.');
    const bytes = metric.gauge('signalbox_dns_cache_bytes', 'Bytes of answers in the cache.');
    return ({ cache }) => {
      if (!cache) return;
      lookups.set(cache.hits, { result: 'hit' });
      lookups.set(cache.misses, { result: 'miss' });
      lookups.set(cache.stale, { result: 'stale' });
      prefetches.set(cache.prefetched - cache.prefetchFailed, { result: 'ok' });
      prefetches.set(cache.prefetchFailed, { result: 'failed' });
      entries.set(cache.entries);
      bytes.set(cache.bytes);
    };
  },
});
