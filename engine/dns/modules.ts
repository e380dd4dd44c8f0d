// Builds the module chain from a config. On a reload, a module whose config section did not change
// is kept as it is (the cache keeps its entries, forward its health state, rrl its accounts); only
// changed modules are built anew (and the cache too when flatten changed, see below).
import type { DnsConfig } from '../api/dns.ts';
import { Cache } from './modules/cache/cache.ts';
import { Flatten } from './modules/flatten/flatten.ts';
import { Forward } from './modules/forward/forward.ts';
import { ResponseRateLimit } from './modules/rrl/rrl.ts';

export interface Modules {
  forward: Forward;
  cache: Cache | null;
  rrl: ResponseRateLimit | null;
  flatten: Flatten | null;
}

/** The config each module is built from; equal sections mean the module can be kept. */
function sections(config: DnsConfig, upstreams: Upstreams) {
  return {
    forward: { upstreams, policy: config.policy, health: config.healthCheck, upstreamTimeoutMs: config.upstreamTimeoutMs },
    cache: config.cache,
    rrl: config.rrl,
    flatten: config.flatten,
  };
}

type Upstreams = { address: string; weight: number }[];

export function buildModules(config: DnsConfig, upstreams: Upstreams, previous?: { config: DnsConfig; upstreams: Upstreams; modules: Modules }): Modules {
  const next = sections(config, upstreams);
  const before = previous && sections(previous.config, previous.upstreams);
  const same = (key: keyof typeof next) => before !== undefined && JSON.stringify(before[key]) === JSON.stringify(next[key]);
  const { enabled: cacheEnabled, ...cacheOptions } = config.cache;
  const { enabled: rrlEnabled, ...rrlOptions } = config.rrl;
  return {
    forward: same('forward') ? previous!.modules.forward : new Forward(next.forward),
    // The cache holds answers as flatten shaped them: new flatten rules need an empty cache.
    cache: same('cache') && same('flatten') ? previous!.modules.cache : cacheEnabled ? new Cache(cacheOptions) : null,
    rrl: same('rrl') ? previous!.modules.rrl : rrlEnabled ? new ResponseRateLimit(rrlOptions) : null,
    flatten: same('flatten') ? previous!.modules.flatten : config.flatten.names.length > 0 || config.flatten.apex ? new Flatten(config.flatten) : null,
  };
}
