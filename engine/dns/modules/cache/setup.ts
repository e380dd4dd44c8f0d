// How the chain builds the cache (engine/dns/modules.ts): from its config section and flatten's,
// since it holds answers as flatten shaped them (new flatten rules need an empty cache).
import type { DnsConfig } from '../../../api/dns.ts';
import type { ModuleSetup } from '../../modules.ts';
import { Cache } from './cache.ts';
import { hitRatioOf } from './contract.ts';

export const cacheSetup: ModuleSetup<'cache', Cache | null, { cache: DnsConfig['cache']; flatten: DnsConfig['flatten'] }> = {
  section: (config) => ({ cache: config.cache, flatten: config.flatten }),
  build: ({ cache: { enabled, ...options } }) => (enabled ? new Cache(options) : null),
  stats: (cache) => {
    const counters = cache?.stats() ?? null;
    return { cache: counters, hitRatio: hitRatioOf(counters) };
  },
};
