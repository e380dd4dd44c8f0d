// How the chain builds the cache (engine/dns/modules.ts): from its config section, flatten's and
// the routes, since it holds answers as flatten shaped them and as the routes' pools gave them
// (new flatten rules or routes need an empty cache).
import type { DnsConfig } from '../../../api/dns.ts';
import type { ModuleSetup } from '../../modules.ts';
import { Cache } from './cache.ts';
import { hitRatioOf } from './contract.ts';

export const cacheSetup: ModuleSetup<'cache', Cache | null, { cache: DnsConfig['cache']; flatten: DnsConfig['flatten']; routes: DnsConfig['routes'] }> = {
  section: (config) => ({ cache: config.cache, flatten: config.flatten, routes: config.routes }),
  build: ({ cache: { enabled, ...options } }) => (enabled ? new Cache(options) : null),
  stats: (cache) => {
    const counters = cache?.stats() ?? null;
    return { cache: counters, hitRatio: hitRatioOf(counters) };
  },
};
